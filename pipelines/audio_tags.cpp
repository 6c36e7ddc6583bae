// audio_tags.cpp — TagLib's C++ API behind aw_audio_tags_read() and
// aw_audio_cover_read(). Only the PropertyMap interface keeps multi-valued
// tags (two ARTIST comments, ID3v2.4 genre lists) apart, and the C binding
// of Debian's TagLib 1.13 lacks it, and pictures too.
#include "audio_tags.h"

#include "error.h"

#include <taglib/attachedpictureframe.h>
#include <taglib/flacfile.h>
#include <taglib/flacpicture.h>
#include <taglib/id3v2tag.h>
#include <taglib/infotag.h>
#include <taglib/mp4coverart.h>
#include <taglib/mp4file.h>
#include <taglib/mpegfile.h>
#include <taglib/oggflacfile.h>
#include <taglib/opusfile.h>
#include <taglib/tpropertymap.h>
#include <taglib/vorbisfile.h>
#include <taglib/wavfile.h>
#include <taglib/xiphcomment.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

namespace
{

// Audio properties are not read: FFmpeg reports those, and TagLib would
// scan the whole file for some formats.
std::unique_ptr<TagLib::File> open_as(const char *path, aw_tags_format format)
{
    switch (format) {
    case AW_TAGS_MPEG: return std::make_unique<TagLib::MPEG::File>(path, false);
    case AW_TAGS_OGG_VORBIS: return std::make_unique<TagLib::Ogg::Vorbis::File>(path, false);
    case AW_TAGS_OGG_OPUS: return std::make_unique<TagLib::Ogg::Opus::File>(path, false);
    case AW_TAGS_OGG_FLAC: return std::make_unique<TagLib::Ogg::FLAC::File>(path, false);
    case AW_TAGS_FLAC: return std::make_unique<TagLib::FLAC::File>(path, false);
    case AW_TAGS_MP4: return std::make_unique<TagLib::MP4::File>(path, false);
    case AW_TAGS_WAV: return std::make_unique<TagLib::RIFF::WAV::File>(path, false);
    case AW_TAGS_NONE: break;
    }
    return nullptr;
}

TagLib::PropertyMap read_properties(TagLib::File &file, aw_tags_format format)
{
    TagLib::PropertyMap props = file.properties();
    if (props.isEmpty() && format == AW_TAGS_WAV) { // no ID3 chunk: the RIFF INFO list
        auto &wav = static_cast<TagLib::RIFF::WAV::File &>(file);
        if (wav.hasInfoTag())
            props = wav.InfoTag()->properties();
    }
    return props;
}

std::string joined(const TagLib::StringList &values)
{
    std::string out;
    for (const auto &v : values) {
        std::string s = v.stripWhiteSpace().to8Bit(true);
        if (s.empty())
            continue;
        if (!out.empty())
            out += "; ";
        out += s;
    }
    return out;
}

bool set_text(json_t *obj, const char *key, const TagLib::PropertyMap &props, const char *name)
{
    auto it = props.find(name);
    if (it == props.end())
        return false;
    std::string text = joined(it->second);
    if (text.empty())
        return false;
    json_object_set_new(obj, key, json_string(text.c_str()));
    return true;
}

bool set_genres(json_t *obj, const TagLib::PropertyMap &props)
{
    auto it = props.find("GENRE");
    if (it == props.end())
        return false;
    json_t *list = json_array();
    for (const auto &v : it->second) {
        std::string s = v.stripWhiteSpace().to8Bit(true);
        if (!s.empty())
            json_array_append_new(list, json_string(s.c_str()));
    }
    if (json_array_size(list) == 0) {
        json_decref(list);
        return false;
    }
    json_object_set_new(obj, "genre", list);
    return true;
}

// The leading number of "2010-05-01" or "3/12" (year, track).
bool set_number(json_t *obj, const char *key, const TagLib::PropertyMap &props, const char *name)
{
    auto it = props.find(name);
    if (it == props.end() || it->second.isEmpty())
        return false;
    std::string s = it->second.front().to8Bit(true);
    char *end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    if (end == s.c_str() || n <= 0)
        return false;
    json_object_set_new(obj, key, json_integer(n));
    return true;
}

int read_tags(const char *path, aw_tags_format format, json_t *descriptive)
{
    std::unique_ptr<TagLib::File> file = open_as(path, format);
    if (!file || !file->isValid())
        return AW_DECLINED;
    TagLib::PropertyMap props = read_properties(*file, format);
    int found = 0;
    found += set_text(descriptive, "title", props, "TITLE");
    found += set_text(descriptive, "artist", props, "ARTIST");
    found += set_text(descriptive, "album", props, "ALBUM");
    found += set_text(descriptive, "albumArtist", props, "ALBUMARTIST");
    found += set_text(descriptive, "composer", props, "COMPOSER");
    found += set_genres(descriptive, props);
    found += set_number(descriptive, "year", props, "DATE");
    found += set_number(descriptive, "track", props, "TRACKNUMBER");
    return found > 0 ? AW_OK : AW_DECLINED;
}

TagLib::ByteVector first_xiph_picture(TagLib::Tag *tag)
{
    auto *xiph = dynamic_cast<TagLib::Ogg::XiphComment *>(tag);
    if (xiph == nullptr || xiph->pictureList().isEmpty())
        return {};
    return xiph->pictureList().front()->data();
}

TagLib::ByteVector first_apic(TagLib::ID3v2::Tag *tag)
{
    if (tag == nullptr || tag->frameListMap()["APIC"].isEmpty())
        return {};
    auto *frame = dynamic_cast<TagLib::ID3v2::AttachedPictureFrame *>(
        tag->frameListMap()["APIC"].front());
    return frame != nullptr ? frame->picture() : TagLib::ByteVector();
}

TagLib::ByteVector first_covr(TagLib::MP4::Tag *tag)
{
    if (tag == nullptr || !tag->contains("covr"))
        return {};
    TagLib::MP4::CoverArtList list = tag->item("covr").toCoverArtList();
    return list.isEmpty() ? TagLib::ByteVector() : list.front().data();
}

TagLib::ByteVector first_picture(TagLib::File &file, aw_tags_format format)
{
    switch (format) {
    case AW_TAGS_OGG_VORBIS:
    case AW_TAGS_OGG_OPUS:
    case AW_TAGS_OGG_FLAC: return first_xiph_picture(file.tag());
    case AW_TAGS_FLAC: {
        TagLib::List<TagLib::FLAC::Picture *> list =
            static_cast<TagLib::FLAC::File &>(file).pictureList();
        return list.isEmpty() ? TagLib::ByteVector() : list.front()->data();
    }
    case AW_TAGS_MPEG: return first_apic(static_cast<TagLib::MPEG::File &>(file).ID3v2Tag());
    case AW_TAGS_WAV: return first_apic(static_cast<TagLib::RIFF::WAV::File &>(file).ID3v2Tag());
    case AW_TAGS_MP4: return first_covr(static_cast<TagLib::MP4::File &>(file).tag());
    case AW_TAGS_NONE: break;
    }
    return {};
}

int read_cover(const char *path, aw_tags_format format, void **data, size_t *size)
{
    std::unique_ptr<TagLib::File> file = open_as(path, format);
    if (!file || !file->isValid())
        return AW_DECLINED;
    TagLib::ByteVector picture = first_picture(*file, format);
    if (picture.isEmpty())
        return AW_DECLINED;
    *data = std::malloc(picture.size());
    if (*data == nullptr)
        return AW_ERROR;
    std::memcpy(*data, picture.data(), picture.size());
    *size = picture.size();
    return AW_OK;
}

} // namespace

extern "C" int aw_audio_cover_read(const char *path, aw_tags_format format, void **data,
                                   size_t *size)
{
    try { // no C++ exception may cross into C
        return read_cover(path, format, data, size);
    } catch (...) {
        return AW_ERROR;
    }
}

extern "C" int aw_audio_tags_read(const char *path, aw_tags_format format, json_t *descriptive)
{
    try { // no C++ exception may cross into C
        return read_tags(path, format, descriptive);
    } catch (const std::bad_alloc &) {
        return AW_ERROR;
    } catch (...) {
        return AW_ERROR;
    }
}
