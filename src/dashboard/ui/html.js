// htm turns tagged templates into Preact elements: no JSX, so no compile step
// beyond esbuild's bundling, and the page stays a few KB.
import htm from 'htm';
import { h } from 'preact';

export const html = htm.bind(h);
