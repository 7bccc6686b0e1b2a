#!/usr/bin/env bash
# Rebuilds the vendored browser assets in src/deepcareer/web/static/vendor/
# from the exact versions pinned in package.json / package-lock.json.
# Needs Node.js >= 18 and npm with access to the npm registry (build time only;
# the app itself never loads anything from the network).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$REPO/src/deepcareer/web/static/vendor"
NM="$HERE/node_modules"

cd "$HERE"
# Exact tree from package-lock.json; no third-party install scripts are run
# (esbuild's JS launcher finds its platform binary package without them).
npm ci --ignore-scripts --no-audit --no-fund

# Start from a clean set of outputs (only the files this script produces).
rm -rf "$OUT/editor.js" "$OUT/htmx.min.js" "$OUT/htmx-indicators.css" \
       "$OUT/katex" "$OUT/licenses" "$OUT/LICENSES.md" "$HERE/.out"
mkdir -p "$OUT/katex/fonts" "$OUT/katex/contrib" "$OUT/licenses" "$HERE/.out"

# 1. CodeMirror editor bundle.
"$NM/.bin/esbuild" editor-entry.js \
  --bundle --format=iife --minify --target=es2019 --platform=browser \
  --legal-comments=eof --charset=utf8 \
  --metafile="$HERE/.out/meta.json" \
  --outfile="$OUT/editor.js" --log-level=warning

# 2. htmx (+ its default indicator CSS as a file, for use with
#    htmx.config.includeIndicatorStyles = false, which a strict CSP needs).
cp "$NM/htmx.org/dist/htmx.min.js" "$OUT/htmx.min.js"
cat > "$OUT/htmx-indicators.css" <<'CSS'
/* htmx 2 default indicator styles (normally injected by htmx as an inline
   <style>, which style-src 'self' blocks; load this file instead and set
   includeIndicatorStyles:false in <meta name="htmx-config">). */
.htmx-indicator{opacity:0;visibility:hidden}
.htmx-request .htmx-indicator,.htmx-request.htmx-indicator{opacity:1;visibility:visible;transition:opacity 200ms ease-in}
CSS

# 3. KaTeX: JS, auto-render, CSS rewritten to reference woff2 fonts only.
KX="$NM/katex/dist"
cp "$KX/katex.min.js" "$OUT/katex/katex.min.js"
cp "$KX/contrib/auto-render.min.js" "$OUT/katex/contrib/auto-render.min.js"
sed -E \
  -e 's#,url\(fonts/[A-Za-z0-9_-]+\.woff\) format\("woff"\)##g' \
  -e 's#,url\(fonts/[A-Za-z0-9_-]+\.ttf\) format\("truetype"\)##g' \
  "$KX/katex.min.css" > "$OUT/katex/katex.min.css"
if grep -Eq '\.(woff|ttf)\)' "$OUT/katex/katex.min.css"; then
  echo "build.sh: katex.min.css still references non-woff2 fonts; update the sed" >&2
  exit 1
fi
for f in $(grep -oE 'fonts/[A-Za-z0-9_-]+\.woff2' "$OUT/katex/katex.min.css" | sort -u); do
  cp "$KX/$f" "$OUT/katex/$f"
done

# 4. Licences (bundled package list comes from the esbuild metafile).
node "$HERE/licenses.mjs" "$HERE/.out/meta.json" "$OUT"

# 5. Sanity: nothing vendored may need eval / new Function.
if grep -l -E 'new Function\(|[^.a-zA-Z_$]eval\(' "$OUT/editor.js" "$OUT/katex/katex.min.js" "$OUT/katex/contrib/auto-render.min.js"; then
  echo "build.sh: eval/new Function found in a vendored file above" >&2
  exit 1
fi

echo "vendored into $OUT:"
(cd "$OUT" && find . -type f | LC_ALL=C sort | xargs du -b | awk '{t+=$1; printf "  %8d  %s\n", $1, $2} END {printf "  %8d  total\n", t}')
