#!/bin/sh
# Build static/vendor from node_modules: the only npm files a page loads, and the process
# designer's bundle. Run from the repository root (or the image's asset stage) after
# `npm ci`; `make install` runs it through `make vendor`. The output is never committed.
set -eu
out=${1:-static/vendor}
mkdir -p "$out/bpmn-js" "$out/dmn-js" "$out/esm" "$out/designer"
cp node_modules/htmx-ext-ws/dist/ws.min.js "$out/htmx-ext-ws.min.js"
cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js "$out/"
cp -r node_modules/bpmn-js/dist/assets/* "$out/bpmn-js/"
cp node_modules/dmn-js/dist/dmn-viewer.production.min.js "$out/"
cp -r node_modules/dmn-js/dist/assets/* "$out/dmn-js/"
# bpmn-auto-layout (diagrams of files without a layout) and its imports, as ES modules.
for pkg in bpmn-auto-layout bpmn-moddle moddle moddle-xml saxen min-dash; do
  cp "node_modules/$pkg/dist/index.js" "$out/esm/$pkg.js"
done
# The process designer: static/designer/src and its npm packages in one bundle (esbuild),
# with the stylesheets of the properties panel, the linter and the minimap beside it.
node_modules/.bin/esbuild static/designer/src/index.js --bundle --minify --format=iife \
  --target=es2019 --jsx=automatic --jsx-import-source=@bpmn-io/properties-panel/preact \
  --log-level=warning --outfile="$out/designer.bundle.js"
cp node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css \
  node_modules/bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css \
  node_modules/diagram-js-minimap/assets/diagram-js-minimap.css "$out/designer/"
