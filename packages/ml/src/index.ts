export const PACKAGE = '@cauce/ml';
