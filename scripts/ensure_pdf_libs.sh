#!/usr/bin/env bash
# WeasyPrint (PDF certificates and reports) needs Pango from the system. Installs Debian's
# packages when they are missing; does nothing when they are there.
set -euo pipefail

if ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' && fc-list 2>/dev/null | grep -qi dejavu; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "PDFs need Pango and a font: install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core (Debian/Ubuntu names)." >&2
  exit 1
fi
echo "Installing Pango and DejaVu fonts for WeasyPrint..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-dejavu-core >/dev/null
