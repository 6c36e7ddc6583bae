# hostile_recipes.sh — sourced by test_hostile.sh: builds the hostile corpus,
# one readable recipe per file, in the directory given. Every file is made
# here at run time by vips, ffmpeg, zip, perl or printf; nothing is checked in.
#
#   make_hostile_corpus DIR SECRET PORT
# SECRET is a file outside any job directory that hostile files point at;
# PORT is a loopback TCP port the test listens on, for network references.

png_chunk() { # png_chunk TYPE HEXDATA: length, type, data and CRC-32 of one PNG chunk
  perl -MCompress::Zlib -e '
    my ($type, $data) = ($ARGV[0], pack("H*", $ARGV[1]));
    print pack("N", length $data), $type, $data, pack("N", crc32($type . $data));' "$1" "$2"
}

# PNG whose IHDR claims 100000 x 100000 (10 Gpx); one tiny IDAT follows.
recipe_png_huge_header() {
  { printf '\x89PNG\r\n\x1a\n'
    png_chunk IHDR "$(printf '%08x%08x' 100000 100000)0802000000"
    png_chunk IDAT 789c030000000001
    png_chunk IEND ""; } > "$1"
}

# A real 64x64 JPEG whose SOF0 frame header is patched to 65000 x 65000.
recipe_jpeg_huge_header() {
  vips black "$1.v" 64 64 --bands 3 && vips copy "$1.v" "$1.jpg[optimize_coding=false]" && rm "$1.v"
  local sof; sof=$(LC_ALL=C grep -obUaP '\xff\xc0' "$1.jpg" | head -1 | cut -d: -f1)
  # SOF0: FFC0, length(2), precision(1), height(2), width(2)
  { head -c $((sof + 5)) "$1.jpg"; printf '\xfd\xe8\xfd\xe8'; tail -c +$((sof + 10)) "$1.jpg"; } > "$1"
  rm "$1.jpg"
}

# Animated GIF of 3000 8x8 frames (100 fps for 30 s).
recipe_gif_many_frames() {
  ffmpeg -v error -y -f lavfi -i "testsrc=size=8x8:rate=100:duration=30" -f gif "$1"
}

# HLS playlist naming /etc/passwd and the secret, uploaded as video/mp4.
recipe_hls_playlist() {
  printf '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXTINF:10,\nfile://%s\n#EXT-X-ENDLIST\n' "$2" > "$1"
}

# ffconcat list naming /etc/passwd and the secret, uploaded as video/mp4.
recipe_concat_list() {
  printf 'ffconcat version 1.0\nfile /etc/passwd\nfile %s\n' "$2" > "$1"
}

# SVG with an external entity (XXE) that would pull the secret into its text.
recipe_svg_xxe() {
  cat > "$1" <<SVG
<?xml version="1.0"?>
<!DOCTYPE svg [ <!ENTITY secret SYSTEM "file://$2"> ]>
<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">
  <rect width="400" height="300" fill="#3366cc"/>
  <text x="10" y="40">&secret;</text>
</svg>
SVG
}

# SVG whose <image> elements name /etc/passwd, the secret (as an image) and
# http://127.0.0.1:PORT/; the drawing itself is a plain blue rectangle.
recipe_svg_external_images() {
  cat > "$1" <<SVG
<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="400" height="300">
  <rect width="400" height="300" fill="#3366cc"/>
  <image href="file:///etc/passwd" width="100" height="100"/>
  <image xlink:href="file://$2" x="100" width="100" height="100"/>
  <image href="http://127.0.0.1:$3/pixel.png" x="200" width="100" height="100"/>
</svg>
SVG
}

# The parts every WordprocessingML package has: content types, relationships
# and an empty body.
docx_skeleton() { # DIR
  mkdir -p "$1/_rels" "$1/word"
  printf '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>' > "$1/[Content_Types].xml"
  printf '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>' > "$1/_rels/.rels"
  printf '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>' > "$1/word/document.xml"
}

# DOCX whose package holds 6 x 90 MB of zeros, each deflated to ~90 KB
# (ratio ~1000): a ZIP bomb, and more than ClamAV scans of one file (400 MB).
recipe_docx_zip_bomb() {
  local d; d=$(mktemp -d)
  docx_skeleton "$d"
  mkdir -p "$d/word/media"
  head -c 90M /dev/zero > "$d/word/media/zeros1.bin"
  for i in 2 3 4 5 6; do cp "$d/word/media/zeros1.bin" "$d/word/media/zeros$i.bin"; done
  (cd "$d" && zip -q -9 -X -r "$1" .) && rm -rf "$d"
}

# One valid file per family, to truncate: JPEG, PNG, MP4 (moov at the end),
# MP3, PDF, DOCX and glTF binary.
recipe_valid_family_files() { # DIR
  local d=$1
  vips xyz "$d/v.v" 640 480 && vips cast "$d/v.v" "$d/v8.v" uchar
  vips copy "$d/v8.v" "$d/whole.jpg" && vips copy "$d/v8.v" "$d/whole.png" && rm "$d/v.v" "$d/v8.v"
  ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=4 \
    -f lavfi -i sine=duration=4 -c:v libx264 -preset ultrafast -c:a aac "$d/whole.mp4"
  ffmpeg -v error -y -f lavfi -i sine=frequency=440:duration=6 -c:a libmp3lame "$d/whole.mp3"
  ffmpeg -v error -y -f lavfi -i testsrc2=size=640x480:duration=1 -frames:v 1 "$d/page.png"
  vips copy "$d/page.png" "$d/page.jpg"
  printf '%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n4 0 obj << /Length 44 >> stream\nBT /F1 24 Tf 72 700 Td (hostile test) Tj ET\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n' > "$d/raw.pdf"
  qpdf "$d/raw.pdf" "$d/whole.pdf" 2>/dev/null || [ -s "$d/whole.pdf" ]
  rm -f "$d/raw.pdf" "$d/page.png" "$d/page.jpg"
  recipe_docx_small "$d/whole.docx"
  recipe_glb "$d/whole.glb"
}

recipe_docx_small() {
  local d; d=$(mktemp -d)
  docx_skeleton "$d"
  head -c 20000 /dev/urandom | base64 | sed 's/.*/<w:p>&<\/w:p>/' |
    { printf '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'; cat; printf '</w:body></w:document>'; } > "$d/word/document.xml"
  (cd "$d" && zip -q -X -r "$1" .) && rm -rf "$d"
}

# glTF 2.0 binary: one triangle (JSON chunk + BIN chunk of 3 float vec3).
recipe_glb() {
  perl -e '
    my $json = q({"asset":{"version":"2.0"},"buffers":[{"byteLength":36}],"bufferViews":[{"buffer":0,"byteLength":36}],"accessors":[{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3","min":[0,0,0],"max":[1,1,0]}],"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],"nodes":[{"mesh":0}],"scenes":[{"nodes":[0]}],"scene":0});
    $json .= " " x ((4 - length($json) % 4) % 4);
    my $bin = pack("f<9", 0,0,0, 1,0,0, 0,1,0);
    my $total = 12 + 8 + length($json) + 8 + length($bin);
    print "glTF", pack("V2", 2, $total), pack("V", length $json), "JSON", $json,
          pack("V", length $bin), "BIN\0", $bin;' > "$1"
}

# glTF whose one buffer is ../../../../etc/passwd and which also names the
# secret by absolute path, as file:// and over http:// to the listener: none
# is read, the declared counts stay, there is nothing to draw.
recipe_gltf_outside_references() { # FILE SECRET PORT
  printf '{"asset":{"version":"2.0"},"buffers":[{"uri":"../../../../etc/passwd","byteLength":36},{"uri":"%s","byteLength":12},{"uri":"file://%s","byteLength":12},{"uri":"http://127.0.0.1:%s/b.bin","byteLength":12}],"bufferViews":[{"buffer":0,"byteLength":36}],"accessors":[{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3","min":[0,0,0],"max":[1,1,0]}],"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],"nodes":[{"mesh":0}],"scenes":[{"nodes":[0]}],"scene":0}' \
    "$2" "$2" "$3" > "$1"
}

# OBJ naming material libraries outside (the secret, /etc/passwd): refused,
# the triangle is still drawn.
recipe_obj_outside_mtllib() { # FILE SECRET
  printf 'mtllib %s ../../../../etc/passwd\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n' "$2" > "$1"
}

# glTF whose POSITION accessor claims 10^12 vertices over a 36-byte buffer.
recipe_gltf_huge_count() {
  printf '{"asset":{"version":"2.0"},"buffers":[{"uri":"data:application/octet-stream;base64,%s","byteLength":36}],"bufferViews":[{"buffer":0,"byteLength":36}],"accessors":[{"bufferView":0,"componentType":5126,"count":1000000000000,"type":"VEC3","min":[0,0,0],"max":[1,1,0]}],"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],"nodes":[{"mesh":0}],"scenes":[{"nodes":[0]}],"scene":0}' \
    "$(perl -e 'print pack("f<9", 0,0,0, 1,0,0, 0,1,0)' | base64 -w0)" > "$1"
}

# OBJ of ten million vertices (80 MB, under the upload limit).
recipe_obj_ten_million_vertices() {
  { yes 'v 0 0 0' | head -n 10000000; echo 'f 1 2 3'; } > "$1"
}

# The first half of a file.
truncate_half() { head -c $(($(stat -c %s "$1") / 2)) "$1" > "$2"; }

make_hostile_corpus() { # DIR SECRET PORT
  local d=$1 secret=$2 port=$3 f
  recipe_png_huge_header "$d/huge-header-png.png"
  recipe_jpeg_huge_header "$d/huge-header-jpg.jpg"
  recipe_gif_many_frames "$d/many-frames.gif"
  recipe_hls_playlist "$d/hls-playlist.mp4" "$secret"
  recipe_concat_list "$d/concat-list.mp4" "$secret"
  recipe_svg_xxe "$d/svg-xxe.svg" "$secret"
  recipe_svg_external_images "$d/svg-external-images.svg" "$secret" "$port"
  recipe_docx_zip_bomb "$d/zip-bomb.docx"
  recipe_gltf_outside_references "$d/model-outside-refs.gltf" "$secret" "$port"
  recipe_obj_outside_mtllib "$d/model-outside-mtllib.obj" "$secret"
  recipe_gltf_huge_count "$d/model-huge-count.gltf"
  recipe_obj_ten_million_vertices "$d/model-ten-million.obj"
  mkdir -p "$d/whole"
  recipe_valid_family_files "$d/whole"
  for f in jpg png mp4 mp3 pdf docx glb; do
    truncate_half "$d/whole/whole.$f" "$d/truncated-$f.$f"
    : > "$d/empty-$f.$f"
  done
  cp "$d/whole/whole.png" "$d/png-declared-jpeg.png"   # uploaded as image/jpeg
  cp /bin/true "$d/elf-declared-png.png"               # uploaded as image/png
}
