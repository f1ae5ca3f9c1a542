export const PACKAGE = '@cauce/server';
