export const PACKAGE = '@cauce/client';
