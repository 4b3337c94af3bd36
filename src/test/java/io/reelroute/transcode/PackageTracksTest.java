package io.reelroute.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** How the tracks ffprobe describes are named and tagged in an HLS package. */
class PackageTracksTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void audioTracksAreNamedByTitleThenHandlerThenLanguageThenPlace() throws Exception {
        PackageTracks tracks = PackageTracks.of(describe("""
                {"codec_type": "video", "codec_name": "h264", "tags": {"language": "und", "handler_name": "VideoHandler"}},
                {"codec_type": "audio", "codec_name": "aac", "tags": {"language": "eng", "handler_name": "SoundHandler"}},
                {"codec_type": "audio", "codec_name": "ac3", "tags": {"language": "fre", "title": "Director's commentary"}},
                {"codec_type": "audio", "codec_name": "eac3", "tags": {"language": "deu", "handler_name": "Hörfassung"}},
                {"codec_type": "audio", "codec_name": "mp3", "tags": {"language": "und"}},
                {"codec_type": "audio", "codec_name": "alac", "tags": {"LANGUAGE": "pt-BR"}},
                {"codec_type": "audio", "codec_name": "aac", "tags": {"language": "eng", "handler_name": "Core Media Audio"}}
                """));

        assertThat(tracks.audio()).extracting(PackageTracks.Track::number).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(tracks.audio()).extracting(PackageTracks.Track::language).containsExactly("en", "fr", "de", null, "pt-BR", "en");
        assertThat(tracks.audio()).extracting(PackageTracks.Track::name).containsExactly("English", "Director's commentary",
                "Hörfassung", "Audio 4", "Portuguese (Brazil)", "English 2");
        assertThat(tracks.audio()).extracting(PackageTracks.Track::codec).containsExactly("aac", "ac3", "eac3", "mp3", "alac", "aac");
        assertThat(tracks.audio()).extracting(PackageTracks.Track::iso639Alpha3).containsExactly("eng", "fra", "deu", null, "por", "eng");
    }

    @Test
    void textSubtitlesAreKeptAndPicturesSetApart() throws Exception {
        PackageTracks tracks = PackageTracks.of(describe("""
                {"codec_type": "subtitle", "codec_name": "hdmv_pgs_subtitle", "tags": {"language": "eng"}},
                {"codec_type": "subtitle", "codec_name": "mov_text", "tags": {"language": "eng", "handler_name": "SubtitleHandler"}},
                {"codec_type": "subtitle", "codec_name": "subrip", "tags": {"language": "spa"}},
                {"codec_type": "subtitle", "codec_name": "dvd_subtitle"},
                {"codec_type": "subtitle", "codec_name": "ass", "tags": {"language": "haw"}}
                """));

        // Numbers count every subtitle track, as ffmpeg's 0:s:N does (from 1 here).
        assertThat(tracks.subtitles()).extracting(PackageTracks.Track::number).containsExactly(2, 3, 5);
        assertThat(tracks.subtitles()).extracting(PackageTracks.Track::language).containsExactly("en", "es", "haw");
        assertThat(tracks.subtitles()).extracting(PackageTracks.Track::name).containsExactly("English", "Spanish", "Hawaiian");
        assertThat(tracks.bitmapSubtitles()).extracting(PackageTracks.Track::codec).containsExactly("hdmv_pgs_subtitle", "dvd_subtitle");
        assertThat(tracks.audio()).isEmpty();
    }

    @Test
    void languageTagsBecomeBcp47() {
        assertThat(PackageTracks.languageTag("eng")).isEqualTo("en");
        assertThat(PackageTracks.languageTag("ger")).isEqualTo("de");
        assertThat(PackageTracks.languageTag("zho")).isEqualTo("zh");
        assertThat(PackageTracks.languageTag("FR")).isEqualTo("fr");
        assertThat(PackageTracks.languageTag("en_GB")).isEqualTo("en-GB");
        assertThat(PackageTracks.languageTag("und")).isNull();
        assertThat(PackageTracks.languageTag("")).isNull();
        assertThat(PackageTracks.languageTag(null)).isNull();
        assertThat(PackageTracks.languageTag("English")).isNull();
        assertThat(PackageTracks.languageName("qaa")).as("a private-use code").isNull();
        assertThat(PackageTracks.languageName("fr")).isEqualTo("French");
    }

    private static JsonNode describe(String streams) throws Exception {
        return MAPPER.readTree("{\"format\": {}, \"streams\": [" + streams + "]}");
    }
}
