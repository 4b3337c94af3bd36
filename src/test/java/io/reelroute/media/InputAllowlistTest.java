package io.reelroute.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.reelroute.testing.TestVideos;

/**
 * An upload is opened as the media file it claims to be, never as a list of other files: a concat list or an HLS
 * playlist uploaded as the source, which would make ffmpeg read files of this machine (or URLs) it names, fails its
 * probe as a format ReelRoute does not read; real media, local or behind a presigned URL, still opens.
 */
class InputAllowlistTest {

    static final MediaTools TOOLS = MediaTools.bundled();
    static final ObjectMapper MAPPER = new ObjectMapper();

    final MediaSteps steps = new MediaSteps(new FileProbe(TOOLS, Duration.ofMinutes(1), MAPPER), TOOLS,
            Duration.ofMinutes(1), Duration.ofMinutes(1));
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        MediaCommands.allowDemuxers(null);
    }

    @Test
    void aConcatListUploadedAsTheSourceFailsItsProbeInsteadOfReadingTheFileItNames(@TempDir Path dir) throws IOException {
        // A file of this machine beside the source (another job's segment, say), named by a relative path, as the
        // concat demuxer's safe mode allows.
        Files.copy(TestVideos.clip(2, 160, 120, false), dir.resolve("other.mp4"));
        Path source = Files.writeString(dir.resolve("source.mp4"), "ffconcat version 1.0\nfile other.mp4\n");

        assertThatThrownBy(() -> steps.probe(source))
                .isInstanceOf(UnprocessableSourceException.class)
                .hasMessage("the source is not a decodable video: its format (concat) is not one of the media files "
                        + "ReelRoute reads; upload the video file itself, not a playlist or a list of files");
    }

    @Test
    void anHlsPlaylistNamingLocalFilesFailsItsProbe(@TempDir Path dir) throws IOException {
        Path other = Files.copy(TestVideos.clip(2, 160, 120, false), dir.resolve("other.mp4"));
        Path playlist = Files.writeString(dir.resolve("source.m3u8"), String.join("\n", "#EXTM3U", "#EXT-X-VERSION:3",
                "#EXT-X-TARGETDURATION:2", "#EXTINF:2.0,", "file:" + other.toAbsolutePath(), "#EXT-X-ENDLIST", ""));

        assertThatThrownBy(() -> steps.probe(playlist))
                .isInstanceOf(UnprocessableSourceException.class)
                .hasMessageContaining("its format (hls) is not one of the media files ReelRoute reads");
    }

    @Test
    void mediaInTheAllowedContainersStillOpensAndTheListIsASetting(@TempDir Path dir) throws IOException {
        Path mp4 = Files.copy(TestVideos.clip(2, 160, 120, true), dir.resolve("source.mp4"));
        assertThat(steps.probe(mp4).hasAudio()).isTrue();

        MediaCommands.allowDemuxers("matroska");
        assertThatThrownBy(() -> steps.probe(mp4)).hasMessageContaining("its format (mov) is not one");
        assertThatThrownBy(() -> MediaCommands.allowDemuxers("mov;concat")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyCommandOpensItsInputsThroughTheAllowlist() {
        Path file = Path.of("/w/source.mp4");
        List<String> local = MediaCommands.input(file);
        assertThat(local).containsExactly("-protocol_whitelist", "file", "-format_whitelist", MediaCommands.DEFAULT_DEMUXERS,
                "-i", "/w/source.mp4");
        assertThat(MediaCommands.input("https://bucket.s3.amazonaws.com/input/x/source.mp4?X-Amz-Signature=1"))
                .startsWith("-protocol_whitelist", "file,http,https,tcp,tls,crypto");
        for (List<String> command : List.of(MediaCommands.probe(file), MediaCommands.split(file, Path.of("/w/s"), 4),
                MediaCommands.sceneChanges(file), MediaCommands.still(file, 1, new MediaCommands.Frame(2, 2), Path.of("/w/p.jpg")),
                MediaCommands.mp4Rendition(file, Path.of("/w/o.mp4"), new MediaCommands.Frame(2, 2), 20, 96, true),
                MediaCommands.hlsLadder(file, Path.of("/w/hls"), 320, 240, 1, 6, 0))) {
            assertThat(String.join(" ", command)).contains(String.join(" ", local));
        }
        // The join's own list may be a concat list; what it names is held to the same containers.
        assertThat(String.join(" ", MediaCommands.concat(Path.of("/w/list.txt"), Path.of("/w/final.mp4"), null, null)))
                .contains("-f concat -safe 0 -protocol_whitelist file -format_whitelist concat," + MediaCommands.DEFAULT_DEMUXERS
                        + " -i /w/list.txt");
    }

    @Test
    void aPresignedUrlIsReadOverHttpButAPlaylistBehindOneIsNot(@TempDir Path dir) throws IOException {
        byte[] clip = Files.readAllBytes(TestVideos.clip(2, 160, 120, true));
        AtomicInteger segmentReads = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/source.mp4", exchange -> send(exchange, clip));
        server.createContext("/segment.mp4", exchange -> {
            segmentReads.incrementAndGet();
            send(exchange, clip);
        });
        server.createContext("/playlist", exchange -> send(exchange, String.join("\n", "#EXTM3U", "#EXT-X-TARGETDURATION:2",
                "#EXTINF:2.0,", "segment.mp4", "#EXT-X-ENDLIST", "").getBytes()));
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        RemoteMedia remote = new RemoteMedia(null, TOOLS, Duration.ofMinutes(1), MAPPER);

        JsonNode description = remote.describe(base + "/source.mp4", "source");
        assertThat(description.path("streams")).hasSize(2);

        assertThatThrownBy(() -> remote.describe(base + "/playlist.m3u8", "source"))
                .isInstanceOf(FileProbe.Unreadable.class)
                .hasMessageContaining("its format (hls) is not one of the media files ReelRoute reads");
        assertThat(segmentReads).hasValue(0);
    }

    private static void send(com.sun.net.httpserver.HttpExchange exchange, byte[] body) throws IOException {
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
