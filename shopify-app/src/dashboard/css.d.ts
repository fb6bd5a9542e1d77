// Stylesheets the client imports for Vite to bundle (uPlot's, the shared charts' legend).
declare module '*.css';
