#!/usr/bin/python3
"""office_recipes.py OUT SECRET PORT MARKER_DIR — the Office documents of
tests/integration/test_office.sh, made at test time.

Valid documents are written as flat OpenDocument XML and converted by
LibreOffice itself (soffice --convert-to) into every format the worker
renders: doc, docx, odt; xls, xlsx, ods; ppt, pptx, odp. The hostile ones
are written here, each aimed at one promise of the office sandbox:

  macro.odt, macro.ods   a Basic macro bound to the document's load event
                         that would write MARKER_DIR/<name>-ran
  link-http.odt/.docx    an image linked (not embedded) from
                         http://127.0.0.1:PORT/: no request may arrive
  link-file.odt          a section and an image linked to SECRET: it must
                         never be opened
  ext-ref.ods            a cell referring to another file over http and a
                         WEBSERVICE() call: no request may arrive
  password.odt           content encrypted with a password (ODF 1.2:
                         AES-256-CBC, key from PBKDF2 of SHA-256)
  xml-bomb.docx          the body's XML expands entities a billion times
  zip-bomb.docx          a part that inflates to 1 GiB
  truncated.docx         the last third of a good docx cut off
  pages-10000.odt        ten thousand pages, one per paragraph
"""
import base64
import hashlib
import os
import subprocess
import sys
import zipfile
import zlib

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:xlink="http://www.w3.org/1999/xlink" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
      'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
      'xmlns:dom="http://www.w3.org/2001/xml-events" '
      'xmlns:ooo="http://openoffice.org/2004/office" '
      'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"')

MIME = {"odt": "application/vnd.oasis.opendocument.text",
        "ods": "application/vnd.oasis.opendocument.spreadsheet"}

TEXT = f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document {NS} office:mimetype="application/vnd.oasis.opendocument.text">
<office:automatic-styles>
 <style:style style:name="Big" style:family="paragraph"><style:text-properties
  fo:font-size="40pt" fo:font-weight="bold" fo:color="#b00000" style:font-name="Liberation Serif"/></style:style>
 <style:style style:name="Band" style:family="paragraph"><style:paragraph-properties
  fo:background-color="#2050c0" fo:padding="1cm"/><style:text-properties fo:font-size="28pt"
  fo:color="#ffffff"/></style:style>
</office:automatic-styles>
<office:body><office:text>
 <text:p text:style-name="Big">Page one heading</text:p>
 <text:p text:style-name="Band">A blue band across the page</text:p>
 <text:p>Body text under the band, in the default font.</text:p>
</office:text></office:body></office:document>
'''

def cell(value, style=""):
    s = f' table:style-name="{style}"' if style else ""
    return f'<table:table-cell office:value-type="string"{s}><text:p>{value}</text:p></table:table-cell>'

SHEET = f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document {NS} office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <style:style style:name="co1" style:family="table-column"><style:table-column-properties style:column-width="4cm"/></style:style>
 <style:style style:name="Fill" style:family="table-cell"><style:table-cell-properties
  fo:background-color="#20a040"/><style:text-properties fo:font-size="20pt" fo:font-weight="bold"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
 <table:table table:name="First">
  <table:table-column table:style-name="co1" table:number-columns-repeated="4"/>
  {"".join(f"<table:table-row>{cell(f'R{r}C1', 'Fill')}{cell(f'R{r}C2')}{cell(f'R{r}C3', 'Fill')}{cell(f'R{r}C4')}</table:table-row>" for r in range(1, 13))}
 </table:table>
 <table:table table:name="Second"><table:table-row>{cell("second sheet")}</table:table-row></table:table>
</office:spreadsheet></office:body></office:document>
'''

SLIDES = f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document {NS} office:mimetype="application/vnd.oasis.opendocument.presentation">
<office:styles/>
<office:automatic-styles>
 <style:page-layout style:name="PM1"><style:page-layout-properties fo:page-width="28cm"
  fo:page-height="15.75cm" style:print-orientation="landscape"/></style:page-layout>
 <style:style style:name="dp1" style:family="drawing-page"><style:drawing-page-properties
  draw:fill="solid" draw:fill-color="#f0d000"/></style:style>
 <style:style style:name="T" style:family="paragraph"><style:text-properties fo:font-size="44pt"
  fo:color="#000080"/></style:style>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Default" style:page-layout-name="PM1"/></office:master-styles>
<office:body><office:presentation>
 <draw:page draw:name="one" draw:style-name="dp1" draw:master-page-name="Default">
  <draw:frame svg:x="2cm" svg:y="5cm" svg:width="24cm" svg:height="4cm"><draw:text-box>
   <text:p text:style-name="T">Slide one title</text:p></draw:text-box></draw:frame>
 </draw:page>
 <draw:page draw:name="two" draw:master-page-name="Default"/>
 <draw:page draw:name="three" draw:master-page-name="Default"/>
</office:presentation></office:body></office:document>
'''

CONVERSIONS = {"fodt": ["doc", "docx", "odt"], "fods": ["xls", "xlsx", "ods"],
               "fodp": ["ppt", "pptx", "odp"]}


def convert(src, out):
    """LibreOffice writes each format from the flat source."""
    profile = os.path.join(out, ".soffice-profile")
    for ext in CONVERSIONS[src.rsplit(".", 1)[1]]:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", ext, "--outdir", out, src],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


def content(kind, body, scripts=""):
    tag = "text" if kind == "odt" else "spreadsheet"
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {NS}>{scripts}'
            f'<office:body><office:{tag}>{body}</office:{tag}></office:body></office:document-content>\n')


def encrypted(data, password):
    """A part as ODF 1.2 encrypts it (OpenDocument 1.2 part 3, 3.8): deflated,
    then AES-256-CBC with a key from PBKDF2-SHA1 over SHA-256(password); and
    its manifest entry's encryption data."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = deflate.compress(data) + deflate.flush()
    salt, iv = os.urandom(16), os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha1", hashlib.sha256(password.encode()).digest(), salt, 100000, 32)
    padder = padding.PKCS7(128).padder()
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    blob = cipher.update(padder.update(deflated) + padder.finalize()) + cipher.finalize()
    b64 = lambda b: base64.b64encode(b).decode()
    manifest = ('<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:'
                f'xmlns:manifest:1.0#sha256-1k" manifest:checksum="{b64(hashlib.sha256(deflated[:1024]).digest())}">'
                '<manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
                f'manifest:initialisation-vector="{b64(iv)}"/><manifest:start-key-generation '
                'manifest:start-key-generation-name="http://www.w3.org/2000/09/xmldsig#sha256" '
                'manifest:key-size="32"/><manifest:key-derivation manifest:key-derivation-name="PBKDF2" '
                f'manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="{b64(salt)}"/>'
                '</manifest:encryption-data>')
    return blob, manifest


def write_odf(path, kind, files, password=None):
    entries = [f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIME[kind]}"/>']
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), MIME[kind], compress_type=zipfile.ZIP_STORED)
        for name, text in files.items():
            if password is not None and name == "content.xml":
                blob, data = encrypted(text.encode(), password)
                z.writestr(zipfile.ZipInfo(name), blob, compress_type=zipfile.ZIP_STORED)
                entries.append(f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type='
                               f'"text/xml" manifest:size="{len(text.encode())}">{data}</manifest:file-entry>')
                continue
            z.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
            entries.append(f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="text/xml"/>')
        z.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
                   '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                   + "".join(entries) + "</manifest:manifest>\n")


def basic_module(marker):
    code = (f'Sub Main\n  Dim n As Integer\n  n = FreeFile\n  Open "{marker}" For Output As #n\n'
            '  Print #n, "the macro ran"\n  Close #n\nEnd Sub\n')
    code = code.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<script:module xmlns:script='
            '"http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic" '
            f'script:moduleType="normal">{code}</script:module>\n')


ON_LOAD = ('<office:scripts><office:event-listeners><script:event-listener script:language='
           '"ooo:script" script:event-name="dom:load" xlink:type="simple" xlink:href='
           '"vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"/>'
           '</office:event-listeners></office:scripts>')


def macros(out, marker_dir):
    library = ('<?xml version="1.0" encoding="UTF-8"?>\n<library:library xmlns:library='
               '"http://openoffice.org/2000/library" library:name="Standard" library:readonly="false" '
               'library:passwordprotected="false"><library:element library:name="Module1"/></library:library>\n')
    libraries = ('<?xml version="1.0" encoding="UTF-8"?>\n<library:libraries xmlns:library='
                 '"http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">'
                 '<library:library library:name="Standard" library:link="false"/></library:libraries>\n')
    bodies = {"odt": "<text:p>A document whose load event runs a macro</text:p>",
              "ods": ('<table:table table:name="S"><table:table-row>'
                      + cell("A sheet whose load event runs a macro") + '</table:table-row></table:table>')}
    for kind, body in bodies.items():
        write_odf(os.path.join(out, f"macro.{kind}"), kind, {
            "content.xml": content(kind, body, ON_LOAD),
            "Basic/script-lc.xml": libraries, "Basic/Standard/script-lb.xml": library,
            "Basic/Standard/Module1.xml": basic_module(os.path.join(marker_dir, f"macro-{kind}-ran"))})


def linked_image_frame(href):
    return (f'<text:p>A linked picture:<draw:frame draw:name="p" text:anchor-type="as-char" '
            f'svg:width="4cm" svg:height="4cm"><draw:image xlink:href="{href}" xlink:type="simple" '
            'xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>')


def links(out, secret, port):
    write_odf(os.path.join(out, "link-http.odt"), "odt", {"content.xml": content(
        "odt", linked_image_frame(f"http://127.0.0.1:{port}/odt-image.png"))})
    section = (f'<text:section text:name="S"><text:section-source xlink:href="file://{secret}" '
               'xlink:type="simple" text:filter-name="Text"/><text:p>cached text</text:p></text:section>')
    write_odf(os.path.join(out, "link-file.odt"), "odt", {"content.xml": content(
        "odt", section + linked_image_frame(f"file://{secret}"))})
    cells = ('<table:table table:name="S"><table:table-row>' + cell("ref:") +
             f'<table:table-cell table:formula="of:=[\'http://127.0.0.1:{port}/ext.ods\'#$Sheet1.A1]"/>'
             '</table:table-row><table:table-row>' + cell("service:") +
             f'<table:table-cell table:formula="of:=WEBSERVICE(&quot;http://127.0.0.1:{port}/ws&quot;)"/>'
             '</table:table-row></table:table>')
    write_odf(os.path.join(out, "ext-ref.ods"), "ods", {"content.xml": content("ods", cells)})


def rewrite_docx(src, dst, change):
    """A copy of src with change(name, data) applied to every part."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, change(item.filename, zin.read(item.filename)))


def linked_docx(src, dst, port):
    drawing = ('<w:p><w:r><w:drawing><wp:inline><wp:extent cx="1440000" cy="1440000"/>'
               '<wp:docPr id="100" name="Linked"/><a:graphic xmlns:a='
               '"http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri='
               '"http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic='
               '"http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr '
               'id="100" name="Linked"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip '
               'r:link="rIdLinked"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr>'
               '<a:xfrm><a:off x="0" y="0"/><a:ext cx="1440000" cy="1440000"/></a:xfrm><a:prstGeom '
               'prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
               '</wp:inline></w:drawing></w:r></w:p>')

    def change(name, data):
        if name == "word/_rels/document.xml.rels":
            return data.replace(b"</Relationships>", (
                '<Relationship Id="rIdLinked" Type="http://schemas.openxmlformats.org/officeDocument/'
                f'2006/relationships/image" Target="http://127.0.0.1:{port}/docx-image.png" '
                'TargetMode="External"/></Relationships>').encode())
        if name == "word/document.xml":
            return data.replace(b"<w:body>", b"<w:body>" + drawing.encode(), 1)
        return data
    rewrite_docx(src, dst, change)


BOMB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE w:document [\n'
        '<!ENTITY a "aaaaaaaaaa">' + "".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) +
        ']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:body><w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>')


def bombs(src, out):
    rewrite_docx(src, os.path.join(out, "xml-bomb.docx"),
                 lambda name, data: BOMB.encode() if name == "word/document.xml" else data)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(os.path.join(out, "zip-bomb.docx"), "w",
                                                      zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item.filename))
        with zout.open("word/media/zeros.bin", "w", force_zip64=True) as part:
            block = bytes(1 << 20)
            for _ in range(1024):
                part.write(block)


def pages(out, count):
    style = ('<office:automatic-styles><style:style style:name="B" style:family="paragraph">'
             '<style:paragraph-properties fo:break-before="page"/></style:style></office:automatic-styles>')
    body = "".join(f'<text:p text:style-name="B">Page {i + 1}</text:p>' for i in range(count))
    write_odf(os.path.join(out, f"pages-{count}.odt"), "odt", {
        "content.xml": content("odt", body, style)})


def main():
    out, secret, port, marker_dir = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    made = os.path.join(out, "made")
    os.makedirs(made, exist_ok=True)
    for name, text in (("render.fodt", TEXT), ("render.fods", SHEET), ("render.fodp", SLIDES)):
        src = os.path.join(made, name)
        with open(src, "w") as f:
            f.write(text)
        convert(src, out)
    macros(out, marker_dir)
    links(out, secret, port)
    linked_docx(os.path.join(out, "render.docx"), os.path.join(out, "link-http.docx"), port)
    write_odf(os.path.join(out, "password.odt"), "odt", {"content.xml": content(
        "odt", "<text:p>Only with the password</text:p>")}, password="secret")
    bombs(os.path.join(out, "render.docx"), out)
    data = open(os.path.join(out, "render.docx"), "rb").read()
    open(os.path.join(out, "truncated.docx"), "wb").write(data[: len(data) * 2 // 3])
    pages(out, 10000)


if __name__ == "__main__":
    main()
