export const PACKAGE = '@cauce/protocol';
