/** The library version written into saved stages' metadata (keep in step with packages/ml/package.json). */
export const CAUCE_VERSION = '0.1.0';
