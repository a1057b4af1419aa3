/** The console's icon (favicon and logo): a rounded tile with two offset bars, the mock standing in for the real thing. */
export const ICON_SVG = String.raw`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">
  <rect width="32" height="32" rx="8" fill="#fd4b2d"/>
  <path d="M9 21.5V12a3 3 0 0 1 6 0v9.5" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/>
  <path d="M17 21.5V12a3 3 0 0 1 6 0v9.5" fill="none" stroke="#fff" stroke-opacity="0.6" stroke-width="3" stroke-linecap="round"/>
</svg>
`;
