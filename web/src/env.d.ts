// Stylesheets are bundled by esbuild (extracted into the hashed .css file).
declare module '*.css';
