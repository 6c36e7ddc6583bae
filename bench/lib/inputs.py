"""inputs.py — the large inputs, made here by the tools every reader has
(vips, exiftool, ffmpeg), each command printed and kept for the report, and
the ClamAV database the scans share. The 3D models are written by Python
here (no tool at hand makes one)."""

import json
import math
import shlex
import shutil
import struct
import subprocess
import sys
from pathlib import Path

FF = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
SONG = "aevalsrc=0.5*sin(2*PI*220*t)*sin(PI*t/7)+0.1*random(0)"  # 3 min of it, in each codec
EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR" + "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

# Synthetic signatures, one file per kind: random bytes each, and the awk
# printf of one line from $1 (those bytes in hex) and NR.
RANDOM_SIGS = {
    "hdb": (16, '"%s:%d:Bench.Hash.%d\\n", $1, 1000 + NR % 5000, NR'),  # MD5:file size:name
    "hsb": (32, '"%s:%d:Bench.Sha256.%d\\n", $1, 1000 + NR % 5000, NR'),  # SHA-256:file size:name
    "mdb": (16, '"%d:%s:Bench.Section.%d\\n", 512 + NR % 5000, $1, NR'),  # PE section size:MD5:name
    "ndb": (24, '"Bench.Body.%d:0:*:%s\\n", NR, $1'),  # name:any file:anywhere:24 bytes
}
# The official main + daily databases: about 8.5 M signatures, nearly all
# hashes (about 4.5 M of whole files, MD5 and SHA; PE section hashes), and
# 0.1-0.2 M body and logical signatures. The engine takes about 1.1 GiB.
PRODUCTION = {"hdb": 3_000_000, "hsb": 1_500_000, "mdb": 3_800_000, "ndb": 200_000}
PRODUCTION_NEEDS = {"MemAvailable": 3 << 30, "disk": 1 << 30}  # bytes, for the full size


class Inputs:
    def __init__(self, work: Path):
        self.work = work
        self.commands = []  # as printed, paths relative to the work directory

    def say(self, argv):
        shown = " ".join(shlex.quote(str(a).replace(f"{self.work}/", "")) for a in argv)
        print(f"+ {shown}", flush=True)
        self.commands.append(shown)
        subprocess.run([str(a) for a in argv], check=True, cwd=self.work)

    def path(self, name):
        return self.work / name

    def images(self):
        """24 MP JPEG with camera EXIF, 6 MP PNG, 12 MP WebP, 6 MP HEIC (if
        libheif can encode HEVC here; else AVIF), 6 MP TIFF (LZW, as
        scanners and editors write), a 1.5 MP GIF (256 colours), one tiny
        PNG."""
        w = self.work
        self.say(["vips", "gaussnoise", "n.v", 6000, 4000, "--mean", 128, "--sigma", 30])
        self.say(["vips", "xyz", "xy.v", 6000, 4000])
        self.say(["vips", "linear", "xy.v", "rg.v", "0.0425 0.06375", "0 0"])
        self.say(["vips", "bandjoin", "rg.v n.v", "rgb.v"])
        self.say(["vips", "cast", "rgb.v", "rgb8.v", "uchar"])
        self.say(["vips", "copy", "rgb8.v", "photo-24mp.jpg", "--interpretation", "srgb"])
        self.say(["exiftool", "-q", "-overwrite_original", "-Make=BenchCam", "-Model=BC-24",
                  "-ISO=200", "-FNumber=4", "-ExposureTime=1/250", "-FocalLength=35",
                  "-DateTimeOriginal=2026:11:21 10:00:00", "-Orientation#=1", "photo-24mp.jpg"])
        self.say(["vips", "resize", "rgb8.v", "graphic-6mp.png", "0.5"])
        self.say(["vips", "resize", "rgb8.v", "photo-12mp.webp", "0.7071"])
        self.say(["vips", "resize", "rgb8.v", "small.v", "0.5"])
        heic = subprocess.run(["vips", "copy", "small.v", "photo-6mp.heic[compression=hevc]"],
                              cwd=w, capture_output=True)
        if heic.returncode == 0:
            self.commands.append("vips copy small.v 'photo-6mp.heic[compression=hevc]'")
            print("+ " + self.commands[-1])
            self.heic = w / "photo-6mp.heic"
        else:
            self.say(["vips", "copy", "small.v", "photo-6mp.avif[compression=av1,effort=0]"])
            self.heic = w / "photo-6mp.avif"
        self.say(["vips", "copy", "small.v", "scan-6mp.tif[compression=lzw]"])
        self.say(["vips", "resize", "rgb8.v", "graphic-1.5mp.gif", "0.25"])
        self.say(["vips", "black", "tiny.png", 16, 16, "--bands", 3])
        for f in ("n.v", "xy.v", "rg.v", "rgb.v", "rgb8.v", "small.v"):
            (w / f).unlink()
        return [w / "photo-24mp.jpg", w / "graphic-6mp.png", w / "photo-12mp.webp", self.heic,
                w / "scan-6mp.tif", w / "graphic-1.5mp.gif"]

    def media(self, tiny_only=False):
        """1080p 60 s H.264 + AAC at about 12.5 Mbit/s (close to 100 MB,
        under the 100 MB limit, as a phone records), a 3 min tagged MP3, a
        0.1 s WAV for start-up runs (tiny_only: the WAV alone)."""
        if tiny_only:
            self.say(FF + ["-f", "lavfi", "-i", "sine=duration=0.1", "tiny.wav"])
            self.say(["vips", "black", "tiny.png", 16, 16, "--bands", 3])
            return None, None, self.work / "tiny.wav"
        self.say(FF + ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=60",
                       "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=60",
                       "-vf", "noise=alls=12:allf=t", "-c:v", "libx264", "-preset", "ultrafast",
                       "-b:v", "12500k", "-maxrate", "12500k", "-bufsize", "25000k", "-g", "60",
                       "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "video-1080p-60s.mp4"])
        self.say(FF + ["-f", "lavfi", "-i", f"{SONG}:s=44100:d=180",
                       "-c:a", "libmp3lame", "-b:a", "192k", "-metadata", "title=Bench Song",
                       "-metadata", "artist=Bench Artist", "-metadata", "album=Bench Album",
                       "song-3min.mp3"])
        self.say(FF + ["-f", "lavfi", "-i", "sine=duration=0.1", "tiny.wav"])
        self.songs = [self.work / "song-3min.mp3"]
        for name, codec in (("song-3min.m4a", ["-c:a", "aac", "-b:a", "192k"]),
                            ("song-3min.flac", ["-c:a", "flac"]),
                            ("song-3min.wav", ["-c:a", "pcm_s16le"]),
                            ("song-3min.ogg", ["-c:a", "libvorbis", "-q:a", "5"])):
            self.say(FF + ["-f", "lavfi", "-i", f"{SONG}:s=44100:d=180", "-ac", "2", *codec, name])
            self.songs.append(self.work / name)
        video = self.work / "video-1080p-60s.mp4"
        size = video.stat().st_size
        print(f"  video-1080p-60s.mp4: {size / 1e6:.1f} MB")
        return video, self.work / "song-3min.mp3", self.work / "tiny.wav"

    def clamav_db(self, hashes, bodies):
        """/var/lib/clamav when it holds the official databases; else a
        synthetic one: `hashes` random MD5 signatures and `bodies` random
        24-byte body patterns (the official databases need freshclam and
        network access), plus EICAR's hash. A one-signature database goes
        beside it, for start-up runs."""
        small = self.work / "db-one"
        small.mkdir(exist_ok=True)
        (self.work / "eicar.txt").write_text(EICAR)
        eicar_md5 = subprocess.run(["md5sum", self.work / "eicar.txt"], capture_output=True,
                                   text=True, check=True).stdout.split()[0]
        (small / "one.hdb").write_text(f"{eicar_md5}:68:Eicar-Test-Signature\n")
        if official_db():
            return official_db(), small, OFFICIAL_TEXT
        self.synthetic_db("db", {"hdb": hashes, "ndb": bodies})
        return self.work / "db", small, (f"a synthetic database: {hashes:,} MD5 hash signatures, "
                                         f"{bodies:,} body patterns and EICAR (no network for freshclam here)")

    def clamav_db_production(self):
        """The official databases where clamav_db found them; else a synthetic
        database of their size (PRODUCTION), scaled down, and said so, where
        this machine has too little memory or disk for it. Call after
        clamav_db (it copies EICAR's signature from db-one)."""
        if official_db():
            return official_db(), OFFICIAL_TEXT
        scale = production_scale(self.work)
        counts = {kind: int(n * scale) for kind, n in PRODUCTION.items()}
        self.synthetic_db("db-production", counts)
        c = counts
        scaled = "" if scale == 1 else f", scaled down to {scale:.0%} for this machine's memory or disk"
        return self.work / "db-production", (
            f"a synthetic database of production size: {c['hdb']:,} MD5 and {c['hsb']:,} SHA-256 file "
            f"hashes, {c['mdb']:,} PE section hashes, {c['ndb']:,} body patterns "
            f"({sum(c.values()) / 1e6:.1f} M signatures, as the official main + daily hold{scaled}) and EICAR")

    def synthetic_db(self, folder, counts):
        """Random signatures of each kind (RANDOM_SIGS) and EICAR's hash in
        work/folder; kept when a run on the same work directory made the same."""
        d = self.work / folder
        stamp = d / "made.json"
        if stamp.exists() and json.loads(stamp.read_text()) == counts:
            print(f"  {folder}: made by an earlier run with the same counts, kept", flush=True)
            return
        d.mkdir(exist_ok=True)
        for kind, n in counts.items():
            size, line = RANDOM_SIGS[kind]
            self.say(["sh", "-c", f"head -c {n * size} /dev/urandom | od -An -v -tx1 -w{size} | "
                      f"tr -d ' ' | awk '{{printf {line}}}' > {folder}/bench.{kind}"])
        self.say(["cp", self.work / "db-one/one.hdb", d / "eicar.hdb"])
        stamp.write_text(json.dumps(counts))

    def office(self):
        """A text document, a spreadsheet and a deck, each written by
        LibreOffice (soffice --convert-to) from the flat OpenDocument sources
        of tests/integration/office_recipes.py; [] without soffice."""
        if shutil.which("soffice") is None:
            return []
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests/integration"))
        import office_recipes
        out = self.path("office")
        out.mkdir(exist_ok=True)
        docs = []
        for name, text, ext in (("page.fodt", office_recipes.TEXT, "docx"),
                                ("sheet.fods", office_recipes.SHEET, "xlsx"),
                                ("deck.fodp", office_recipes.SLIDES, "pptx")):
            src = out / name
            src.write_text(text)
            self.say(["soffice", f"-env:UserInstallation=file://{out}/profile", "--headless",
                      "--convert-to", ext, "--outdir", out, src])
            docs.append(src.with_suffix("." + ext))
        return docs

    def models(self, levels=5):
        """An icosphere of 20 × 4^levels triangles (20,480 with 5 levels) with
        its normals, written as OBJ, so the 3D row runs without the corpus;
        and a one-triangle OBJ and GLB for the anchor's start-up runs (assimp
        info's start-up differs by format: its OBJ path costs more)."""
        vertices, faces = icosphere(levels)
        name = f"icosphere-{len(faces) // 1000}k.obj"
        with open(self.work / name, "w") as f:
            f.write("# icosphere, %d vertices, %d triangles\n" % (len(vertices), len(faces)))
            f.write("".join("v %.6f %.6f %.6f\n" % v for v in vertices))
            f.write("".join("vn %.6f %.6f %.6f\n" % v for v in vertices))  # a unit sphere: normal = position
            f.write("".join(f"f {a}//{a} {b}//{b} {c}//{c}\n" for a, b, c in
                            ((a + 1, b + 1, c + 1) for a, b, c in faces)))
        (self.work / "tiny.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
        (self.work / "tiny.glb").write_bytes(one_triangle_glb())
        for line in (f"python3 (bench/lib/inputs.py icosphere({levels})): {name}, {len(vertices)} vertices, "
                     f"{len(faces)} triangles, with normals",
                     "python3 (bench/lib/inputs.py): tiny.obj and tiny.glb, one triangle each"):
            print(f"+ {line}", flush=True)
            self.commands.append(line)
        return self.work / name, self.work / "tiny.obj", self.work / "tiny.glb"

    def corpus(self, root: Path):
        """Every file of the open corpus but its manifest, sorted."""
        return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".tsv"
                      and not p.name.endswith(".md"))

    def small_images(self, n, first_seed=1, folder="small"):
        """n different JPEGs of 1024x768 (a different noise seed each)."""
        d = self.work / folder
        d.mkdir(exist_ok=True)
        self.say(["vips", "xyz", "xy-s.v", 1024, 768])
        self.say(["vips", "linear", "xy-s.v", "rg-s.v", "0.249 0.332", "0 0"])
        loop = (f"for i in {first_seed}..{first_seed + n - 1}: vips gaussnoise n-s.v 1024 768 --mean 128 "
                f"--sigma 20 --seed $i; vips bandjoin 'rg-s.v n-s.v' c-s.v; vips cast c-s.v {folder}/img-$i.jpg uchar")
        print(f"+ {loop}", flush=True)
        self.commands.append(loop)
        files = []
        for i in range(first_seed, first_seed + n):
            for argv in (["vips", "gaussnoise", "n-s.v", 1024, 768, "--mean", 128, "--sigma", 20, "--seed", i],
                         ["vips", "bandjoin", "rg-s.v n-s.v", "c-s.v"],
                         ["vips", "cast", "c-s.v", f"{folder}/img-{i:03d}.jpg", "uchar"]):
                subprocess.run([str(a) for a in argv], check=True, cwd=self.work)
            files.append(d / f"img-{i:03d}.jpg")
        return files


OFFICIAL_TEXT = "the official databases in /var/lib/clamav"


def official_db():
    return Path("/var/lib/clamav") if list(Path("/var/lib/clamav").glob("main.c[lv]d")) else None


def production_scale(work: Path):
    """1, or the share of PRODUCTION this machine can hold (memory for the
    engine, disk for its text), printed."""
    avail = next(int(l.split()[1]) * 1024 for l in open("/proc/meminfo") if l.startswith("MemAvailable"))
    free = shutil.disk_usage(work).free
    scale = min(1.0, avail / PRODUCTION_NEEDS["MemAvailable"], free / PRODUCTION_NEEDS["disk"])
    if scale < 1:
        print(f"  production-size database: {avail >> 20} MiB of memory available, {free >> 20} MiB "
              f"of disk; scaled down to {scale:.0%}", flush=True)
    return scale


def icosphere(levels):
    """Vertices (on the unit sphere) and triangles (0-based, counter-clockwise
    seen from outside) of an icosahedron subdivided `levels` times."""
    t = (1 + 5 ** 0.5) / 2
    vertices = [(-1, t, 0), (1, t, 0), (-1, -t, 0), (1, -t, 0), (0, -1, t), (0, 1, t), (0, -1, -t),
                (0, 1, -t), (t, 0, -1), (t, 0, 1), (-t, 0, -1), (-t, 0, 1)]
    vertices = [tuple(c / math.hypot(*v) for c in v) for v in vertices]
    faces = [(0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9), (5, 11, 4),
             (11, 10, 2), (10, 7, 6), (7, 1, 8), (3, 9, 4), (3, 4, 2), (3, 2, 6), (3, 6, 8), (3, 8, 9),
             (4, 9, 5), (2, 4, 11), (6, 2, 10), (8, 6, 7), (9, 8, 1)]
    for _ in range(levels):
        middle, finer = {}, []

        def mid(a, b):
            key = (min(a, b), max(a, b))
            if key not in middle:
                m = [(x + y) / 2 for x, y in zip(vertices[a], vertices[b])]
                n = math.hypot(*m)
                vertices.append(tuple(c / n for c in m))
                middle[key] = len(vertices) - 1
            return middle[key]

        for a, b, c in faces:
            ab, bc, ca = mid(a, b), mid(b, c), mid(c, a)
            finer += [(a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca)]
        faces = finer
    return vertices, faces


def one_triangle_glb():
    """A binary glTF 2.0 holding one triangle (positions only)."""
    positions = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    doc = {"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0}],
           "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
           "buffers": [{"byteLength": len(positions)}],
           "bufferViews": [{"buffer": 0, "byteLength": len(positions)}],
           "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                          "min": [0, 0, 0], "max": [1, 1, 0]}]}
    js = json.dumps(doc).encode()
    js += b" " * (-len(js) % 4)
    chunks = struct.pack("<I4s", len(js), b"JSON") + js + struct.pack("<I4s", len(positions), b"BIN\0") + positions
    return struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks
