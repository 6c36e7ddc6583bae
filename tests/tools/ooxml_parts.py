#!/usr/bin/env python3
"""ooxml_parts.py — OOXML packages for the damaged-file tests, with python's
zipfile as the independent reader.

  write OUT              a docx (deflated) with core and app properties
  cut-directory IN OUT   IN without its central directory (and what follows)
  core IN NAME           the text of NAME (title, creator, …) in docProps/core.xml
  app IN NAME            the same in docProps/app.xml
  check IN               "readable", or "damaged" when zipfile cannot open it
"""
import struct
import sys
import zipfile
import xml.etree.ElementTree as ET

CORE = ('<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
        'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Cut Directory Memo</dc:title>'
        '<dc:creator>Zip Salvager</dc:creator><dcterms:created>2022-03-04T05:06:07Z'
        '</dcterms:created></cp:coreProperties>')
APP = ('<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/'
       '2006/extended-properties"><Application>Parts Writer</Application><Pages>7</Pages>'
       '</Properties>')
BODY = ('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:body>' + '<w:p>text</w:p>' * 2000 + '</w:body></w:document>')


def write(out):
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        z.writestr('word/document.xml', BODY)
        z.writestr('docProps/core.xml', CORE)
        z.writestr('docProps/app.xml', APP)


def cut_directory(src, out):
    data = open(src, 'rb').read()
    eocd = data.rindex(b'PK\x05\x06')
    directory = struct.unpack('<I', data[eocd + 16:eocd + 20])[0]
    open(out, 'wb').write(data[:directory])


def text(src, part, name):
    root = ET.fromstring(zipfile.ZipFile(src).read('docProps/' + part))
    for element in root.iter():
        if element.tag.rsplit('}', 1)[-1] == name:
            print(element.text)
            return


def check(src):
    try:
        zipfile.ZipFile(src).testzip()
        print('readable')
    except zipfile.BadZipFile:
        print('damaged')


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'write':
        write(*args)
    elif cmd == 'cut-directory':
        cut_directory(*args)
    elif cmd in ('core', 'app'):
        text(args[0], cmd + '.xml', args[1])
    elif cmd == 'check':
        check(*args)
