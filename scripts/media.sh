# scripts/media.sh — the demo media recipes, sourced by scripts/demo and
# tests/image/test_image.sh: make_demo_files DIR makes one file of every
# family the worker takes (photos with EXIF, PNG with alpha, WebP, GIF, TIFF,
# SVG, a PNG named .jpg, the EICAR test file, an empty upload, a phone clip,
# an MP3 with cover art, a PDF, a docx, a glTF model); make_eicar_db DIR
# writes a ClamAV database that knows only EICAR.
# The caller sets WORK to a scratch directory. Needs vips, bc, exiftool,
# ffmpeg, qpdf, zip (deps.sh's demo group).

eicar() { printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR' '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }

# An RGB gradient W×H as a VIPS file: red along x, green along y.
gradient() { # gradient OUT.v W H
  vips xyz "$WORK/xy.v" "$2" "$3"
  vips linear "$WORK/xy.v" "$WORK/rg.v" "$(echo "255/$2" | bc -l) $(echo "255/$3" | bc -l)" "0 0"
  vips bandjoin_const "$WORK/rg.v" "$WORK/rgb.v" 96
  vips cast "$WORK/rgb.v" "$WORK/rgb8.v" uchar
  vips copy "$WORK/rgb8.v" "$1" --interpretation srgb
}

make_demo_files() { # make_demo_files DIR
  local d=$1
  echo "making demo files in $d"
  gradient "$WORK/big.v" 4000 3000
  vips copy "$WORK/big.v" "$d/camera-photo.jpg"
  exiftool -q -overwrite_original -n -Make=DemoCam -Model="DemoCam X100" -LensModel="50mm F1.8" \
    -DateTimeOriginal="2024:06:01 12:30:00" -ISO=200 -FNumber=2.8 -ExposureTime=0.004 \
    -FocalLength=50 -Orientation=1 "$d/camera-photo.jpg"
  gradient "$WORK/side.v" 3000 2000
  vips copy "$WORK/side.v" "$d/held-sideways.jpg"
  exiftool -q -overwrite_original -n -Orientation=6 -Make=DemoCam -Model="DemoCam X100" \
    "$d/held-sideways.jpg"
  vips resize "$WORK/big.v" "$WORK/logo.v" 0.256
  vips bandjoin_const "$WORK/logo.v" "$d/logo-with-alpha.png" 180
  vips resize "$WORK/big.v" "$d/banner.webp" 0.48
  vips resize "$WORK/big.v" "$d/still.gif" 0.08
  gradient "$WORK/a4.v" 2480 3508
  vips colourspace "$WORK/a4.v" "$d/scan-a4.tif" b-w
  cat > "$d/badge.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="600">
  <title>asset-worker demo badge</title>
  <rect width="1200" height="600" rx="80" fill="#8B5CF6"/>
  <circle cx="300" cy="300" r="180" fill="#00D9FF"/>
</svg>
SVG
  vips copy "$WORK/logo.v" "$d/png-named-jpg.jpg[]"; vips copy "$WORK/logo.v" "$WORK/p.png"
  cp "$WORK/p.png" "$d/png-named-jpg.jpg"
  eicar > "$d/eicar-test-file.png"
  : > "$d/empty-upload.jpg"
  make_demo_av "$d"
  make_demo_documents "$d"
}

make_demo_documents() { # make_demo_documents DIR: a PDF, a docx, a glTF model
  local d=$1 w="$WORK/docx"
  cat > "$WORK/raw.pdf" <<'PDF'
%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj
4 0 obj << /Length 60 >> stream
0.2 0.3 0.7 rg 100 500 395 200 re f 0.9 0.5 0.1 rg 150 300 120 120 re f
endstream endobj
5 0 obj << /Title (asset-worker demo brochure) /Author (Demo Author) >> endobj
trailer << /Root 1 0 R /Info 5 0 R >>
%%EOF
PDF
  qpdf "$WORK/raw.pdf" "$d/brochure.pdf" 2>/dev/null || [ $? -eq 3 ] # 3: repaired with warnings
  mkdir -p "$w/_rels" "$w/word" "$w/docProps"
  echo '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>' > "$w/[Content_Types].xml"
  echo '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>' > "$w/_rels/.rels"
  echo '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:rPr><w:b/><w:sz w:val="56"/></w:rPr><w:t>Licence terms</w:t></w:r></w:p><w:p><w:r><w:t>The licensee may show the asset on the web for one year.</w:t></w:r></w:p></w:body></w:document>' > "$w/word/document.xml"
  echo '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Licence terms</dc:title><dc:creator>Demo Author</dc:creator></cp:coreProperties>' > "$w/docProps/core.xml"
  vips resize "$WORK/big.v" "$w/docProps/thumbnail.jpeg" 0.06
  (cd "$w" && zip -q -X -r "$d/licence-terms.docx" .)
  demo_cube_gltf > "$d/cube.gltf"
}

# A glTF cube (side 1, four vertices a face, 12 triangles) in a teal base
# colour, its buffer inline as a data: URI, so the upload is the whole model.
demo_cube_gltf() {
  perl -MMIME::Base64 -e '
    my @faces = ([[0,0,1],[1,0,1],[1,1,1],[0,1,1]], [[1,0,0],[0,0,0],[0,1,0],[1,1,0]],
                 [[1,0,1],[1,0,0],[1,1,0],[1,1,1]], [[0,0,0],[0,0,1],[0,1,1],[0,1,0]],
                 [[0,1,1],[1,1,1],[1,1,0],[0,1,0]], [[0,0,0],[1,0,0],[1,0,1],[0,0,1]]);
    my ($pos, $idx) = ("", "");
    for my $f (0 .. 5) {
      $pos .= pack("f<3", @$_) for @{$faces[$f]};
      $idx .= pack("v6", map { $f * 4 + $_ } 0, 1, 2, 0, 2, 3);
    }
    my $bin = $pos . $idx;
    printf q({"asset":{"version":"2.0","generator":"asset-worker demo"},) .
      q("buffers":[{"byteLength":%d,"uri":"data:application/octet-stream;base64,%s"}],) .
      q("bufferViews":[{"buffer":0,"byteLength":288},{"buffer":0,"byteOffset":288,"byteLength":72}],) .
      q("accessors":[{"bufferView":0,"count":24,"type":"VEC3","componentType":5126,"min":[0,0,0],"max":[1,1,1]},) .
      q({"bufferView":1,"count":36,"type":"SCALAR","componentType":5123}],) .
      q("materials":[{"name":"teal","pbrMetallicRoughness":{"baseColorFactor":[0.1,0.55,0.6,1]}}],) .
      q("meshes":[{"primitives":[{"attributes":{"POSITION":0},"indices":1,"material":0}]}],) .
      q("nodes":[{"mesh":0}],"scenes":[{"nodes":[0]}],"scene":0}) . "\n",
      length $bin, encode_base64($bin, "");'
}

make_demo_av() { # make_demo_av DIR: a phone clip, a song with cover art and tags
  local d=$1 ff="ffmpeg -nostdin -v error -y"
  $ff -f lavfi -i testsrc2=size=1280x720:rate=30:duration=20 \
    -f lavfi -i sine=frequency=330:duration=20 -c:v libx264 -preset veryfast -c:a aac \
    "$d/phone-clip.mp4"
  exiftool -q -overwrite_original -Rotation=90 "$d/phone-clip.mp4"
  vips resize "$WORK/big.v" "$WORK/cover.jpg" 0.15
  $ff -f lavfi -i "aevalsrc='0.6*sin(2*PI*220*t)*sin(PI*t/4)':s=44100:d=75" -i "$WORK/cover.jpg" \
    -map 0 -map 1 -c:a libmp3lame -b:a 128k -c:v copy -disposition:v attached_pic -id3v2_version 3 \
    -metadata title="Demo Tune" -metadata artist="asset-worker" -metadata album="Demo Files" \
    -metadata genre="Electronic" -metadata date=2026 "$d/song-with-cover.mp3"
}

make_eicar_db() { # make_eicar_db DIR: one MD5 signature, Eicar-Test-Signature
  mkdir -p "$1"
  eicar > "$WORK/eicar"
  echo "$(md5sum < "$WORK/eicar" | cut -d' ' -f1):$(stat -c %s "$WORK/eicar"):Eicar-Test-Signature" \
    > "$1/demo.hdb"
}
