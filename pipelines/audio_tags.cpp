// audio_tags.cpp — TagLib's C++ API behind aw_audio_tags_read(). Only the
// PropertyMap interface keeps multi-valued tags (two ARTIST comments, ID3v2.4
// genre lists) apart, and the C binding of Debian's TagLib 1.13 lacks it.
#include "audio_tags.h"

#include "error.h"

#include <taglib/flacfile.h>
#include <taglib/infotag.h>
#include <taglib/mp4file.h>
#include <taglib/mpegfile.h>
#include <taglib/oggflacfile.h>
#include <taglib/opusfile.h>
#include <taglib/tpropertymap.h>
#include <taglib/vorbisfile.h>
#include <taglib/wavfile.h>

#include <cstdlib>
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

} // namespace

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
