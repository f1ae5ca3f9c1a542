export const PACKAGE = '@cauce/data';
