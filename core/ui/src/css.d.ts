// Stylesheets are imported for their side effect; Vite bundles them (report-charts.ts, the extension, the dashboard).
declare module '*.css';
