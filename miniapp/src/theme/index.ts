/** The same colours as tokens.scss, for places that take values in code (tab bar, charts). */
export const theme = {
  primary: '#0b6e4f',
  accent: '#f2a900',
  danger: '#c62828',
  text: '#1d2a25',
  textSecondary: '#5b6b65',
  background: '#f4f7f5',
} as const;
