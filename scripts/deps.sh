# deps.sh — sourced by scripts/demo and scripts/test: installs, from Debian's
# packages, whatever of the given groups is missing. Needs root (or sudo).
#
#   build  compilers and the -dev packages the worker links against (and
#          LibreOfficeKit's header: LibreOffice itself is loaded at run time)
#   office LibreOffice without a GUI and the fonts metric-compatible with
#          Office's (Office thumbnails); part of demo and test
#   fuzz   clang and its libFuzzer/sanitizer runtimes, and the tools that make
#          the pipeline target's seed files
#   demo   command-line tools that make the demo media (vips, exiftool, ffmpeg,
#          qpdf, zip)
#   test   cmocka, exiftool (date oracle), ClamAV test files and sigtool (image
#          fuzzy hashes), jq, ffmpeg (media
#          recipes, ffprobe and decoder oracles), pdfinfo (date oracle), qpdf and
#          zip (document recipes), inotify-tools (nothing outside a job is
#          opened), Node.js/npm, clang-format (scripts/format)
#   image  buildah, podman and debootstrap: scripts/image builds deploy/Dockerfile
#          without a Docker daemon

AW_PKGS_build="build-essential cmake pkg-config libvips-dev libclamav-dev libmagic-dev
  libjansson-dev libexif-dev libxml2-dev libtiff-dev zlib1g-dev librdkafka-dev libglib2.0-dev
  libcurl4-openssl-dev libavformat-dev libavcodec-dev libavfilter-dev libavutil-dev
  libswscale-dev libswresample-dev libtag1-dev libpoppler-glib-dev libcairo2-dev libgsf-1-dev
  libseccomp-dev libmicrohttpd-dev libsqlite3-dev libassimp-dev libosmesa6-dev
  libreofficekit-dev"
AW_PKGS_fuzz="clang libclang-rt-14-dev libvips-tools ffmpeg zip"
AW_PKGS_office="libreoffice-core-nogui libreoffice-writer-nogui libreoffice-calc-nogui
  libreoffice-impress-nogui fonts-liberation2 fonts-crosextra-carlito fonts-crosextra-caladea"
AW_PKGS_demo="libvips-tools libimage-exiftool-perl jq bc ffmpeg qpdf zip curl $AW_PKGS_office"
AW_PKGS_test="libcmocka-dev libvips-tools libimage-exiftool-perl clamav-testfiles clamav jq ffmpeg
  poppler-utils qpdf zip inotify-tools curl python3-prometheus-client clang-format chromium
  fonts-noto-color-emoji python3-cryptography $AW_PKGS_office"
AW_PKGS_image="buildah podman debootstrap"

aw_missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

aw_install_deps() { # aw_install_deps GROUP…
  local group pkgs="" missing sudo=""
  for group in "$@"; do
    eval "pkgs=\"\$pkgs \$AW_PKGS_$group\""
  done
  case " $* " in *" test "*|*" bench "*|*" demo "*) command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm" ;; esac
  # shellcheck disable=SC2086
  missing=$(aw_missing_packages $pkgs)
  if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "installing: $(echo $missing)"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing ||
      return 1
  fi
  aw_fix_calc_ui
}

# Debian 12's libreoffice-calc-nogui lacks one UI file that every
# LibreOfficeKit load of a spreadsheet needs (it fails: "loadComponentFromURL
# returned an empty reference"); the GUI package of the same version, which
# conflicts with it, has it. Taken from that package, not installed.
AW_CALC_UI=/usr/lib/libreoffice/share/config/soffice.cfg/modules/scalc/ui/inputbar.ui
aw_fix_calc_ui() {
  [ -d "$(dirname "$AW_CALC_UI")" ] && [ ! -e "$AW_CALC_UI" ] || return 0
  local v d sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  v=$(dpkg-query -W -f '${Version}' libreoffice-calc-nogui) || return 1
  d=$(mktemp -d)
  (cd "$d" && apt-get download -qq "libreoffice-calc=$v" && dpkg-deb -x libreoffice-calc_*.deb x) &&
    $sudo install -m 644 "$d/x$AW_CALC_UI" "$AW_CALC_UI"
  local rc=$?
  rm -rf "$d"
  return $rc
}

aw_build() { # aw_build BUILD_DIR [cmake args…] — RelWithDebInfo unless an
  # argument sets CMAKE_BUILD_TYPE (the later -D wins)
  local dir=$1; shift
  cmake -S "$AW_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
    cmake --build "$dir" -j"$(nproc)"
}
