export const PACKAGE = '@cauce/frame';
