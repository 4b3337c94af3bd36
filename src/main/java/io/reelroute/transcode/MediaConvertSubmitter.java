package io.reelroute.transcode;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.ResourceNames;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.mediaconvert.MediaConvertClient;
import software.amazon.awssdk.services.mediaconvert.model.CreateJobRequest;
import software.amazon.awssdk.services.mediaconvert.model.CreateJobResponse;
import software.amazon.awssdk.services.mediaconvert.model.JobSettings;

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

    private static final Logger LOG = LoggerFactory.getLogger(MediaConvertSubmitter.class);
    private static final String UNKNOWN_ENUM_VALUE = "UNKNOWN_TO_SDK_VERSION";

    private final MediaConvertClient mediaConvert;
    private final ObjectReader settingsReader;
    private final String outputBucket;
    private final String roleArn;
    private final String queueArn;
    private final Path template;

    @Autowired
    public MediaConvertSubmitter(MediaConvertClient mediaConvert, ReelRouteProperties properties, ObjectMapper mapper) {
        this(mediaConvert, mapper, ResourceNames.fromPrefix(properties.prefix()).outputBucket(),
                properties.transcode().mediaconvert());
    }

    MediaConvertSubmitter(MediaConvertClient mediaConvert, ObjectMapper mapper, String outputBucket,
            ReelRouteProperties.Transcode.Mediaconvert settings) {
        this.mediaConvert = mediaConvert;
        this.settingsReader = settingsReader(mapper);
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

    /** Submits the HLS packaging of the job's final.mp4 and returns MediaConvert's job id. */
    public String submit(String jobId) {
        JobIds.requireValid(jobId);
        if (roleArn == null) {
            throw new IllegalStateException(ROLE_REQUIRED);
        }
        CreateJobRequest.Builder request = CreateJobRequest.builder()
                .role(roleArn)
                .settings(settings(jobId))
                .userMetadata(Map.of("job_id", jobId))
                .clientRequestToken(clientRequestToken(jobId));
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
            throw new IllegalStateException("MediaConvert accepted the HLS job of " + jobId + " but named no job id");
        }
        LOG.info("HLS packaging of job {} submitted to MediaConvert as {}", jobId, mediaConvertJobId);
        return mediaConvertJobId;
    }

    /**
     * The same for every submission of one job, and at most 64 ASCII characters as MediaConvert requires. A
     * repeat within MediaConvert's idempotency window returns the job the first one created.
     */
    static String clientRequestToken(String jobId) {
        return "reelroute-hls-" + JobIds.requireValid(jobId);
    }

    /** The template with the job's placeholders filled in, as the SDK's model. */
    JobSettings settings(String jobId) {
        String text;
        try {
            text = Files.readString(template);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("MediaConvert job template " + template
                    + " does not exist (reelroute.transcode.mediaconvert.job-template)", e);
        } catch (IOException e) {
            throw new IllegalStateException("MediaConvert job template " + template + " could not be read: " + e, e);
        }
        String filled = text
                .replace("{input}", "s3://" + outputBucket + "/" + OutputKeys.finalVideo(jobId))
                .replace("{destination}", "s3://" + outputBucket + "/" + OutputKeys.hlsPrefix(jobId))
                .replace("{job_id}", jobId);
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
