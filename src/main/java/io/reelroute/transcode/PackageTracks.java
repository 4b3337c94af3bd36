package io.reelroute.transcode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.reelroute.media.FileProbe;

/**
 * The audio and subtitle tracks of a file as an HLS package offers them, read from ffprobe's description of it
 * ({@link FileProbe#describe}): each audio track becomes an alternate audio rendition, each text subtitle track a
 * WebVTT rendition. Subtitles drawn as pictures (DVD, Blu-ray PGS, DVB) can't become WebVTT and are listed apart.
 *
 * @param audio the audio tracks, in the file's order
 * @param subtitles the text subtitle tracks (mov_text, SubRip, ASS/SSA, WebVTT), in the file's order
 * @param bitmapSubtitles the subtitle tracks that are pictures or of a codec that is not text, which no package carries
 */
public record PackageTracks(List<Track> audio, List<Track> subtitles, List<Track> bitmapSubtitles) {

    /** Subtitle codecs (ffprobe's names) that are text, so that ffmpeg converts them to WebVTT. */
    static final Set<String> TEXT_SUBTITLES = Set.of("mov_text", "subrip", "srt", "ass", "ssa", "webvtt", "text");

    /** Handler names that tools write by default: they name the kind of track, not this one. */
    private static final Pattern GENERIC_HANDLER = Pattern.compile(
            "(?i).*(handler|core media|iso media|gpac|bento4|l-smash|mainconcept).*");

    /** ISO 639-2/B codes (used by Matroska and older tools) and the ISO 639-2/T codes of the same languages. */
    private static final Map<String, String> BIBLIOGRAPHIC = Map.ofEntries(Map.entry("alb", "sqi"), Map.entry("arm", "hye"),
            Map.entry("baq", "eus"), Map.entry("bur", "mya"), Map.entry("chi", "zho"), Map.entry("cze", "ces"),
            Map.entry("dut", "nld"), Map.entry("fre", "fra"), Map.entry("geo", "kat"), Map.entry("ger", "deu"),
            Map.entry("gre", "ell"), Map.entry("ice", "isl"), Map.entry("mac", "mkd"), Map.entry("mao", "mri"),
            Map.entry("may", "msa"), Map.entry("per", "fas"), Map.entry("rum", "ron"), Map.entry("slo", "slk"),
            Map.entry("tib", "bod"), Map.entry("wel", "cym"));

    /** ISO 639-2/T code to the two-letter ISO 639-1 code BCP 47 prefers, for every language that has one. */
    private static final Map<String, String> TWO_LETTER = twoLetterCodes();

    private static final Pattern LANGUAGE_TAG = Pattern.compile("[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*");

    public PackageTracks {
        audio = List.copyOf(audio);
        subtitles = List.copyOf(subtitles);
        bitmapSubtitles = List.copyOf(bitmapSubtitles);
    }

    /**
     * One track.
     *
     * @param number its place among the file's tracks of its kind, from 1 (the second audio track is 2, whatever
     *        other tracks lie between): what ffmpeg's {@code 0:a:N} counts from 0 and MediaConvert's audio
     *        selectors count from 1
     * @param codec ffprobe's codec name
     * @param language its language as a BCP 47 tag ({@code en}, {@code fr}, {@code pt-BR}), or null when unknown
     *        or undetermined ({@code und})
     * @param name what a player lists it as: its title, else its handler name unless that is a tool's default,
     *        else its language in English, else "Audio N" or "Subtitles N"; unique among the tracks of its kind
     */
    public record Track(int number, String codec, String language, String name) {

        /** The language's ISO 639-2/T code ({@code eng}, {@code fra}), or null. */
        public String iso639Alpha3() {
            if (language == null) {
                return null;
            }
            try {
                String code = Locale.forLanguageTag(language).getISO3Language();
                return code.isEmpty() ? null : code;
            } catch (MissingResourceException unknown) {
                return null;
            }
        }
    }

    /** The tracks of a file from ffprobe's description of it ({@code streams} with their tags). */
    public static PackageTracks of(JsonNode description) {
        List<Track> audio = new ArrayList<>();
        List<Track> subtitles = new ArrayList<>();
        List<Track> bitmaps = new ArrayList<>();
        int subtitleNumber = 0;
        for (JsonNode stream : description.path("streams")) {
            String type = stream.path("codec_type").asText();
            if ("audio".equals(type)) {
                audio.add(track(stream, audio.size() + 1, "Audio", audio));
            } else if ("subtitle".equals(type)) {
                subtitleNumber++;
                String codec = stream.path("codec_name").asText();
                if (TEXT_SUBTITLES.contains(codec)) {
                    subtitles.add(track(stream, subtitleNumber, "Subtitles", subtitles));
                } else {
                    bitmaps.add(track(stream, subtitleNumber, "Subtitles", bitmaps));
                }
            }
        }
        return new PackageTracks(audio, subtitles, bitmaps);
    }

    private static Track track(JsonNode stream, int number, String kind, List<Track> before) {
        JsonNode tags = stream.path("tags");
        String language = languageTag(tag(tags, "language"));
        String name = tag(tags, "title");
        if (name == null) {
            String handler = tag(tags, "handler_name");
            name = handler == null || GENERIC_HANDLER.matcher(handler).matches() ? null : handler;
        }
        if (name == null) {
            name = languageName(language);
        }
        if (name == null) {
            name = kind + " " + number;
        }
        return new Track(number, stream.path("codec_name").asText(), language, unique(name, before));
    }

    /** {@code name}, or {@code name 2}, {@code name 3} ... if a track before it has that name already. */
    private static String unique(String name, List<Track> before) {
        Set<String> taken = new HashSet<>();
        before.forEach(track -> taken.add(track.name()));
        String candidate = name;
        for (int i = 2; taken.contains(candidate); i++) {
            candidate = name + " " + i;
        }
        return candidate;
    }

    private static String tag(JsonNode tags, String name) {
        // ffprobe spells tag names as the container does; Matroska's are upper case.
        for (var field : tags.properties()) {
            if (field.getKey().equalsIgnoreCase(name) && !field.getValue().asText().isBlank()) {
                return field.getValue().asText().strip();
            }
        }
        return null;
    }

    /**
     * A container's language tag as BCP 47: ISO 639-2 codes ({@code eng}, or the bibliographic {@code fre}) become
     * the two-letter code where there is one ({@code en}, {@code fr}), others stay three letters ({@code haw}); a
     * tag that is BCP 47 already keeps its subtags ({@code pt-BR}). Null for {@code und}, an empty tag or one that
     * is not a language tag.
     */
    static String languageTag(String tag) {
        if (tag == null || !LANGUAGE_TAG.matcher(tag.strip().replace('_', '-')).matches()) {
            return null;
        }
        String[] subtags = tag.strip().replace('_', '-').split("-", 2);
        String primary = subtags[0].toLowerCase(Locale.ROOT);
        primary = BIBLIOGRAPHIC.getOrDefault(primary, primary);
        primary = TWO_LETTER.getOrDefault(primary, primary);
        String bcp47 = Locale.forLanguageTag(subtags.length > 1 ? primary + "-" + subtags[1] : primary).toLanguageTag();
        return bcp47.isEmpty() || bcp47.startsWith("und") ? null : bcp47;
    }

    /** The language's English name ("French", "Portuguese (Brazil)"), or null when Java knows no name for it. */
    static String languageName(String languageTag) {
        if (languageTag == null) {
            return null;
        }
        Locale locale = Locale.forLanguageTag(languageTag);
        String language = locale.getDisplayLanguage(Locale.ENGLISH);
        return language.isEmpty() || language.equalsIgnoreCase(locale.getLanguage()) ? null : locale.getDisplayName(Locale.ENGLISH);
    }

    private static Map<String, String> twoLetterCodes() {
        Map<String, String> codes = new HashMap<>();
        for (String twoLetter : Locale.getISOLanguages()) {
            try {
                codes.putIfAbsent(Locale.forLanguageTag(twoLetter).getISO3Language(), twoLetter);
            } catch (MissingResourceException noThreeLetterCode) {
                // a language with no ISO 639-2 code keeps its two letters
            }
        }
        return Map.copyOf(codes);
    }
}
