/**
 * Fresh ids in the Responses API's shapes: `resp_` for a response, and for its output items a
 * prefix (`msg`, `fc`, `rs`) with the response's own hex, so a row's items can be told apart.
 */
export const newResponseHex = (): string => crypto.randomUUID().replace(/-/g, '');

export const responseId = (hex: string): string => `resp_${hex}`;

export const itemId = (prefix: 'msg' | 'fc' | 'rs', hex: string, index: number): string =>
  `${prefix}_${hex}${index.toString(16).padStart(4, '0')}`;
