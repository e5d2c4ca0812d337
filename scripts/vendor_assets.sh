#!/usr/bin/env bash
# Refresh the front-end files served by the project (no CDN: government intranets are often offline).
# Packs pinned npm packages into a temp dir and copies only the minified files we serve.
# Node is needed only to run this script, never at run time.
set -euo pipefail
cd "$(dirname "$0")/.."

BOOTSTRAP=bootstrap@5.3.9
ICONS=bootstrap-icons@1.13.2
LEAFLET=leaflet@1.9.4
CHARTJS=chart.js@4.6.1

DEST=jsika/core/static/vendor
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for pkg in "$BOOTSTRAP" "$ICONS" "$LEAFLET" "$CHARTJS"; do
  (cd "$TMP" && npm pack --silent "$pkg" >/dev/null)
done
for tgz in "$TMP"/*.tgz; do
  name=$(basename "$tgz" .tgz)
  mkdir -p "$TMP/$name"
  tar -xzf "$tgz" -C "$TMP/$name" --strip-components=1
done

src() { ls -d "$TMP"/"$1"-[0-9]*/ | head -n1; }
BS=$(src bootstrap)
BI=$(src bootstrap-icons)
LF=$(src leaflet)
CJ=$(src chart.js)

rm -rf "$DEST"/{bootstrap,bootstrap-icons,leaflet,chartjs}
mkdir -p "$DEST"/{bootstrap,bootstrap-icons/fonts,leaflet/images,chartjs}

cp "$BS/dist/css/bootstrap.min.css" "$DEST/bootstrap/"
cp "$BS/dist/js/bootstrap.bundle.min.js" "$DEST/bootstrap/"
cp "$BS/LICENSE" "$DEST/bootstrap/LICENSE"

cp "$BI/font/bootstrap-icons.min.css" "$DEST/bootstrap-icons/"
cp "$BI/font/fonts/bootstrap-icons.woff2" "$DEST/bootstrap-icons/fonts/"
cp "$BI/LICENSE" "$DEST/bootstrap-icons/LICENSE"
# The css also names a .woff fallback; every browser we support reads woff2, so drop that source.
sed -i -E 's#,url\("fonts/bootstrap-icons\.woff\?[^"]*"\) format\("woff"\)##' "$DEST/bootstrap-icons/bootstrap-icons.min.css"

cp "$LF/dist/leaflet.js" "$LF/dist/leaflet.css" "$DEST/leaflet/"
cp "$LF"/dist/images/*.png "$DEST/leaflet/images/"
cp "$LF/LICENSE" "$DEST/leaflet/LICENSE"

cp "$CJ/dist/chart.umd.min.js" "$DEST/chartjs/"
cp "$CJ/LICENSE.md" "$DEST/chartjs/LICENSE.md"

# Source maps are referenced but not shipped; strip the comments so browsers don't ask for them.
sed -i -E '/^\/\/# sourceMappingURL=/d; s#/\*\# sourceMappingURL=[^*]*\*/##' \
  "$DEST/bootstrap/bootstrap.min.css" "$DEST/bootstrap/bootstrap.bundle.min.js" \
  "$DEST/leaflet/leaflet.js" "$DEST/chartjs/chart.umd.min.js"

printf '%s\n' "$BOOTSTRAP" "$ICONS" "$LEAFLET" "$CHARTJS" > "$DEST/VERSIONS"
du -sh "$DEST"
