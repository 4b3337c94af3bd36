package io.reelroute.transcode;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.Params;
import io.reelroute.contract.ResourceNames;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaCommands.Frame;
import io.reelroute.media.RemoteMedia;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.mediaconvert.MediaConvertClient;
import software.amazon.awssdk.services.mediaconvert.model.CreateJobRequest;
import software.amazon.awssdk.services.mediaconvert.model.CreateJobResponse;
import software.amazon.awssdk.services.mediaconvert.model.JobSettings;
import software.amazon.awssdk.services.mediaconvert.model.LanguageCode;

/**
 * Submits the HLS packaging of a completed job's {@code final.mp4} to AWS Elemental MediaConvert (CreateJob)
 * and returns MediaConvert's job id.
 * <p>
 * The job settings come from a JSON file that integration engineers edit without rebuilding
 * ({@code reelroute.transcode.mediaconvert.job-template}, by default {@code routes/mediaconvert-job.json}). It
 * holds CreateJob's {@code Settings} object as MediaConvert's console shows it ("Show job JSON", PascalCase
 * keys), with three placeholders replaced as text before it is read: {@code {input}} (the job's
 * {@code s3://<output bucket>/jobs/<job_id>/final.mp4}), {@code {destination}} (its
 * {@code s3://<output bucket>/jobs/<job_id>/hls/}) and {@code {job_id}}. The file is read at every submission,
 * so an edit applies to the next job. A key the SDK's model does not know, or an enumeration value it does not
 * know, fails the submission with the template's path in the message rather than being dropped.
 * <p>
 * Every audio track of {@code final.mp4} becomes an alternate audio rendition: ffprobe reads the file's tracks
 * through a presigned URL ({@link RemoteMedia}), and the template's parts for one track are repeated per track (see
 * {@link #settings(String)}). Its subtitle tracks (mov_text) are not carried: MediaConvert reads no MP4 timed-text
 * track as a caption source (see docs/hls-packaging.md).
 * <p>
 * Every submission of one job carries the same client request token, so a submission repeated after a lost
 * answer returns the job MediaConvert already created instead of starting a second one. The SDK retries
 * throttling and 5xx answers with backoff; once it gives up, the exception goes to the route, which leaves the
 * message for redelivery. Any other 4xx answer means the request is wrong and becomes
 * {@link HlsSubmissionRefused}.
 */
@Component("mediaConvertSubmitter")
public class MediaConvertSubmitter {

    static final String ROLE_REQUIRED =
            "reelroute.transcode.mediaconvert.role-arn is required when reelroute.transcode.packager=mediaconvert";

    /** The userMetadata entry that marks a MediaConvert job made from the job's source (see {@link #submitForSource}). */
    static final String MADE_FROM = "made_from";
    static final String FROM_SOURCE = "source";

    /** Marks the template's parts that are repeated once per audio track of final.mp4. */
    static final String AUDIO_TRACK = "{audio_track}";

    private static final Logger LOG = LoggerFactory.getLogger(MediaConvertSubmitter.class);
    private static final String UNKNOWN_ENUM_VALUE = "UNKNOWN_TO_SDK_VERSION";

    /** The audio and subtitle tracks of a job's final.mp4. */
    @FunctionalInterface
    interface FinalTracks {
        PackageTracks of(String jobId) throws IOException;
    }

    private final MediaConvertClient mediaConvert;
    private final ObjectReader settingsReader;
    private final ObjectMapper settingsTree;
    private final String outputBucket;
    private final String roleArn;
    private final String queueArn;
    private final Path template;
    private final FinalTracks finalTracks;

    @Autowired
    public MediaConvertSubmitter(MediaConvertClient mediaConvert, ReelRouteProperties properties, ObjectMapper mapper,
            RemoteMedia remote) {
        this(mediaConvert, mapper, ResourceNames.fromPrefix(properties.prefix()).outputBucket(),
                properties.transcode().mediaconvert(), probed(remote, ResourceNames.fromPrefix(properties.prefix()).outputBucket()));
    }

    MediaConvertSubmitter(MediaConvertClient mediaConvert, ObjectMapper mapper, String outputBucket,
            ReelRouteProperties.Transcode.Mediaconvert settings, FinalTracks finalTracks) {
        this.mediaConvert = mediaConvert;
        this.finalTracks = finalTracks;
        this.settingsReader = settingsReader(mapper);
        this.settingsTree = mapper;
        this.outputBucket = outputBucket;
        this.roleArn = blankToNull(settings.roleArn());
        this.queueArn = blankToNull(settings.queueArn());
        this.template = settings.jobTemplate();
    }

    /**
     * The application's mapper with the rules the template needs: the SDK builders' bean setters matched
     * without regard to case (PascalCase in the file, camelCase setters), unknown keys and trailing content
     * refused, and no silent truncation of a fraction where an integer belongs.
     */
    private static ObjectReader settingsReader(ObjectMapper mapper) {
        ObjectMapper strict = mapper.copy();
        strict.setConfig(strict.getDeserializationConfig()
                .with(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT));
        return strict.readerFor(JobSettings.serializableBuilderClass());
    }

    /** The tracks of a job's final.mp4 as ffprobe reads them through a presigned URL. */
    static FinalTracks probed(RemoteMedia remote, String outputBucket) {
        return jobId -> {
            String key = OutputKeys.finalVideo(jobId);
            try {
                return PackageTracks.of(remote.describe(remote.url(outputBucket, key), key));
            } catch (FileProbe.Unreadable unreadable) {
                // Not the request's fault (the object may be arriving, or S3 unreachable): the route retries.
                throw new IllegalStateException("could not read the tracks of " + key + ": " + unreadable.detail(), unreadable);
            }
        };
    }

    /** Submits the HLS packaging of the job's final.mp4 and returns MediaConvert's job id. */
    public String submit(String jobId) {
        JobIds.requireValid(jobId);
        return create(jobId, settings(jobId), clientRequestToken(jobId), Map.of("job_id", jobId));
    }

    /**
     * Submits a pipeline's own MediaConvert job, which reads the job's source itself and makes all of the job's
     * outputs (the renditions pipeline's MP4 renditions and HLS package, for one), and returns MediaConvert's job
     * id. The template is read like the HLS one, with more placeholders: {@code {input}} is {@code sourceUri},
     * {@code {outputs}} the job's folder in the output bucket ({@code s3://<output bucket>/jobs/<job_id>/}),
     * {@code {params.NAME}} the job's param NAME; and an output whose JSON holds {@code {rung}} is repeated once
     * per rung of {@code rungs}, largest first, with {@code {rung}} (the frame's shorter side), {@code {width}} and
     * {@code {height}} filled in. A placeholder that is a whole JSON string becomes the value itself
     * ({@code "Height": "{height}"} is the number 720). Its userMetadata says {@code made_from: source}, so that
     * its COMPLETE event completes the job and its ERROR event fails it ({@link TranscodeEvents}).
     */
    public String submitForSource(String jobId, String sourceUri, Path jobTemplate, Params params, List<Frame> rungs) {
        JobIds.requireValid(jobId);
        Map<String, JsonNode> values = new LinkedHashMap<>();
        values.put("input", TextNode.valueOf(sourceUri));
        values.put("outputs", TextNode.valueOf("s3://" + outputBucket + "/" + OutputKeys.folder(jobId)));
        values.put("destination", TextNode.valueOf("s3://" + outputBucket + "/" + OutputKeys.hlsPrefix(jobId)));
        values.put("job_id", TextNode.valueOf(jobId));
        params.json().properties().forEach(param -> values.put("params." + param.getKey(), param.getValue()));
        return create(jobId, settings(jobTemplate, values, rungs), "reelroute-outputs-" + jobId,
                Map.of("job_id", jobId, MADE_FROM, FROM_SOURCE));
    }

    private String create(String jobId, JobSettings settings, String clientRequestToken, Map<String, String> userMetadata) {
        if (roleArn == null) {
            throw new IllegalStateException(ROLE_REQUIRED);
        }
        CreateJobRequest.Builder request = CreateJobRequest.builder()
                .role(roleArn)
                .settings(settings)
                .userMetadata(userMetadata)
                .clientRequestToken(clientRequestToken);
        if (queueArn != null) {
            request.queue(queueArn);
        }
        CreateJobResponse response;
        try {
            response = mediaConvert.createJob(request.build());
        } catch (AwsServiceException e) {
            if (refused(e)) {
                throw new HlsSubmissionRefused(e.statusCode(), serviceMessage(e), e);
            }
            throw e;
        }
        String mediaConvertJobId = response.job() == null ? null : response.job().id();
        if (mediaConvertJobId == null || mediaConvertJobId.isBlank()) {
            throw new IllegalStateException("MediaConvert accepted the job of " + jobId + " but named no job id");
        }
        LOG.info("Job {} submitted to MediaConvert as {}", jobId, mediaConvertJobId);
        return mediaConvertJobId;
    }

    /**
     * The same for every submission of one job, and at most 64 ASCII characters as MediaConvert requires. A
     * repeat within MediaConvert's idempotency window returns the job the first one created.
     */
    static String clientRequestToken(String jobId) {
        return "reelroute-hls-" + JobIds.requireValid(jobId);
    }

    /**
     * The HLS template with the job's placeholders filled in and its per-track parts repeated for the tracks of the
     * job's final.mp4, as the SDK's model. Besides {@code {input}}, {@code {destination}} and {@code {job_id}}:
     * <ul>
     * <li>a selector of {@code Inputs[].AudioSelectors} whose name holds {@value #AUDIO_TRACK}, and an output of
     * {@code OutputGroups[].Outputs} whose JSON holds it, are repeated once per audio track of final.mp4 (left out when
     * it has none), with {@code {audio_track}} its number among the audio tracks, from 1 (the audio selector's
     * {@code Tracks}), {@code {audio_name}} its name (StreamName: title, else language), {@code {audio_language}} its
     * language as MediaConvert's LanguageCode ({@code ENG}) and {@code {audio_track_type}}
     * {@code ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT} for the first track, {@code ALTERNATE_AUDIO_AUTO_SELECT} for the
     * others;</li>
     * <li>{@code {audio_group}} is {@code audio}, the GROUP-ID of the audio renditions, when final.mp4 has audio.</li>
     * </ul>
     * A property whose whole value is a placeholder with no value ({@code {audio_language}} of a track whose language
     * is unknown or not one MediaConvert names, {@code {audio_group}} of a silent file) is left out.
     */
    JobSettings settings(String jobId) {
        // The template first: a settings error is reported without reading final.mp4.
        JsonNode tree = readTree(template, " (reelroute.transcode.mediaconvert.job-template)");
        PackageTracks tracks;
        try {
            tracks = finalTracks.of(jobId);
        } catch (IOException e) {
            throw new IllegalStateException("could not read the tracks of " + OutputKeys.finalVideo(jobId) + ": " + e.getMessage(), e);
        }
        if (!tracks.subtitles().isEmpty() || !tracks.bitmapSubtitles().isEmpty()) {
            LOG.info("Job {}: final.mp4 has {} subtitle track(s), which MediaConvert can't read from an MP4: not in the HLS package",
                    jobId, tracks.subtitles().size() + tracks.bitmapSubtitles().size());
        }
        List<Map<String, JsonNode>> audio = new ArrayList<>();
        for (PackageTracks.Track track : tracks.audio()) {
            audio.add(Map.of("audio_track", IntNode.valueOf(track.number()),
                    "audio_name", TextNode.valueOf(track.name()),
                    "audio_language", languageCode(track),
                    "audio_track_type", TextNode.valueOf(audio.isEmpty() ? "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT" : "ALTERNATE_AUDIO_AUTO_SELECT")));
        }
        for (JsonNode input : tree.path("Inputs")) {
            if (input.path("AudioSelectors") instanceof ObjectNode selectors) {
                repeatMembers(selectors, AUDIO_TRACK, audio);
            }
        }
        repeatOutputs(tree, AUDIO_TRACK, audio);
        Map<String, JsonNode> values = new LinkedHashMap<>();
        values.put("input", TextNode.valueOf("s3://" + outputBucket + "/" + OutputKeys.finalVideo(jobId)));
        values.put("destination", TextNode.valueOf("s3://" + outputBucket + "/" + OutputKeys.hlsPrefix(jobId)));
        values.put("job_id", TextNode.valueOf(jobId));
        values.put("audio_group", tracks.audio().isEmpty() ? MissingNode.getInstance() : TextNode.valueOf(MediaCommands.HLS_AUDIO_GROUP));
        return parse(template, fill(tree, values).toString());
    }

    /** The track's language as MediaConvert's LanguageCode (ISO 639-2, upper case), or nothing when it names none. */
    private static JsonNode languageCode(PackageTracks.Track track) {
        String code = track.iso639Alpha3();
        if (code == null || LanguageCode.fromValue(code.toUpperCase(Locale.ROOT)) == LanguageCode.UNKNOWN_TO_SDK_VERSION) {
            return MissingNode.getInstance();
        }
        return TextNode.valueOf(code.toUpperCase(Locale.ROOT));
    }

    /** A pipeline's template with its rungs repeated and its placeholders filled in, as the SDK's model. */
    JobSettings settings(Path jobTemplate, Map<String, JsonNode> values, List<Frame> rungs) {
        JsonNode tree = readTree(jobTemplate, "");
        List<Map<String, JsonNode>> frames = new ArrayList<>();
        for (Frame rung : rungs) {
            frames.add(Map.of("rung", IntNode.valueOf(Math.min(rung.width(), rung.height())),
                    "width", IntNode.valueOf(rung.width()), "height", IntNode.valueOf(rung.height())));
        }
        repeatOutputs(tree, "{rung}", frames);
        return parse(jobTemplate, fill(tree, values).toString());
    }

    private JsonNode readTree(Path jobTemplate, String setting) {
        try {
            return settingsTree.readTree(read(jobTemplate, setting));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("MediaConvert job template " + jobTemplate + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Repeats each output of every output group whose JSON holds {@code marker} once per item, filled with it. */
    private static void repeatOutputs(JsonNode tree, String marker, List<Map<String, JsonNode>> items) {
        for (JsonNode group : tree.path("OutputGroups")) {
            if (group.path("Outputs") instanceof ArrayNode outputs) {
                ArrayNode repeated = outputs.arrayNode();
                for (JsonNode output : outputs) {
                    if (!output.toString().contains(marker)) {
                        repeated.add(output);
                        continue;
                    }
                    items.forEach(item -> repeated.add(fill(output, item)));
                }
                outputs.removeAll().addAll(repeated);
            }
        }
    }

    /** Repeats each member of {@code object} whose name or value holds {@code marker} once per item, filled with it. */
    private static void repeatMembers(ObjectNode object, String marker, List<Map<String, JsonNode>> items) {
        ObjectNode repeated = object.objectNode();
        object.properties().forEach(member -> {
            if (!member.getKey().contains(marker) && !member.getValue().toString().contains(marker)) {
                repeated.set(member.getKey(), member.getValue());
                return;
            }
            items.forEach(item -> repeated.set(fill(member.getKey(), item), fill(member.getValue(), item)));
        });
        object.removeAll().setAll(repeated);
    }

    /**
     * {@code node} with every {@code {name}} of {@code values} filled in, in values and in object keys: a string that
     * is one placeholder becomes its value (a number stays a number, and a {@link MissingNode} leaves the property or
     * element out), one in other text becomes the value's text.
     */
    private static JsonNode fill(JsonNode node, Map<String, JsonNode> values) {
        if (node.isTextual()) {
            String text = node.asText();
            JsonNode whole = text.startsWith("{") && text.endsWith("}") ? values.get(text.substring(1, text.length() - 1)) : null;
            return whole != null ? whole : TextNode.valueOf(fill(text, values));
        }
        if (node instanceof ObjectNode object) {
            ObjectNode filled = object.objectNode();
            object.properties().forEach(field -> {
                JsonNode value = fill(field.getValue(), values);
                if (!value.isMissingNode()) {
                    filled.set(fill(field.getKey(), values), value);
                }
            });
            return filled;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode filled = array.arrayNode();
            array.forEach(item -> {
                JsonNode value = fill(item, values);
                if (!value.isMissingNode()) {
                    filled.add(value);
                }
            });
            return filled;
        }
        return node;
    }

    private static String fill(String text, Map<String, JsonNode> values) {
        for (Map.Entry<String, JsonNode> value : values.entrySet()) {
            text = text.replace("{" + value.getKey() + "}", value.getValue().asText());
        }
        return text;
    }

    private static String read(Path jobTemplate, String setting) {
        try {
            return Files.readString(jobTemplate);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("MediaConvert job template " + jobTemplate + " does not exist" + setting, e);
        } catch (IOException e) {
            throw new IllegalStateException("MediaConvert job template " + jobTemplate + " could not be read: " + e, e);
        }
    }

    private JobSettings parse(Path template, String filled) {
        JobSettings settings;
        try {
            JobSettings.Builder builder = settingsReader.readValue(filled);
            settings = builder.build();
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalStateException("MediaConvert job template " + template + ": unknown key \""
                    + e.getPropertyName() + "\" at " + path(e) + " (keys are those of CreateJob's Settings)", e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("MediaConvert job template " + template + " is not valid CreateJob Settings JSON at "
                    + path(e) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("MediaConvert job template " + template + " could not be read: " + e, e);
        }
        List<String> unknownValues = new ArrayList<>();
        unknownEnumValues(settings, "Settings", unknownValues);
        if (!unknownValues.isEmpty()) {
            throw new IllegalStateException("MediaConvert job template " + template
                    + ": values MediaConvert's model does not know: " + String.join(", ", unknownValues));
        }
        return settings;
    }

    /** Where in the template a reading error is, e.g. {@code Settings.OutputGroups[0].Outputs[1]}. */
    private static String path(JsonProcessingException e) {
        StringBuilder path = new StringBuilder("Settings");
        if (e instanceof JsonMappingException mapping) {
            for (JsonMappingException.Reference reference : mapping.getPath()) {
                if (reference.getFieldName() != null) {
                    path.append('.').append(reference.getFieldName());
                } else if (reference.getIndex() >= 0) {
                    path.append('[').append(reference.getIndex()).append(']');
                }
            }
        }
        if (e.getLocation() != null) {
            path.append(" (line ").append(e.getLocation().getLineNr())
                    .append(", column ").append(e.getLocation().getColumnNr()).append(')');
        }
        return path.toString();
    }

    /**
     * Collects, as {@code path=value}, every enumeration member (e.g. {@code RateControlMode}) whose text the
     * model does not recognise: the builders take enumerations as text, so a misspelt value would otherwise
     * only come back from MediaConvert as a refusal. The model's {@code xAsString()} and {@code x()} accessors
     * give the text and the recognised value.
     */
    private static void unknownEnumValues(Object value, String path, List<String> found) {
        if (value instanceof SdkPojo pojo) {
            for (Method asString : pojo.getClass().getMethods()) {
                String name = asString.getName();
                if (asString.getParameterCount() == 0 && (name.endsWith("AsString") || name.endsWith("AsStrings"))) {
                    String member = name.substring(0, name.lastIndexOf("AsString"));
                    Object text = invoke(pojo, asString);
                    Object known = invoke(pojo, accessor(pojo, member));
                    if (text != null && containsUnknown(known)) {
                        found.add(path + "." + Character.toUpperCase(member.charAt(0)) + member.substring(1) + "=" + text);
                    }
                }
            }
            for (SdkField<?> field : pojo.sdkFields()) {
                unknownEnumValues(field.getValueOrDefault(pojo), path + "." + field.memberName(), found);
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownEnumValues(list.get(i), path + "[" + i + "]", found);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((key, entry) -> unknownEnumValues(entry, path + "[\"" + key + "\"]", found));
        }
    }

    private static boolean containsUnknown(Object known) {
        if (known instanceof Collection<?> values) {
            return values.stream().anyMatch(MediaConvertSubmitter::containsUnknown);
        }
        return known instanceof Enum<?> e && e.name().equals(UNKNOWN_ENUM_VALUE);
    }

    private static Method accessor(Object pojo, String name) {
        try {
            return pojo.getClass().getMethod(name);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("the SDK model " + pojo.getClass().getName() + " has no accessor " + name, e);
        }
    }

    private static Object invoke(Object pojo, Method method) {
        try {
            return method.invoke(pojo);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("could not read " + method + " of the SDK model", e);
        }
    }

    /**
     * A 4xx answer other than throttling (429, or a throttling error code) and a request timeout (408): the
     * service will not take this request however often it is sent.
     */
    static boolean refused(AwsServiceException e) {
        int status = e.statusCode();
        return status >= 400 && status < 500 && status != 408 && status != 429 && !e.isThrottlingException();
    }

    private static String serviceMessage(AwsServiceException e) {
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        return message == null || message.isBlank() ? e.getMessage() : message.strip();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
