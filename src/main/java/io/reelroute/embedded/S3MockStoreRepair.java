package io.reelroute.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Puts a kept S3Mock store back in order before S3Mock starts on it, after a process that was killed while
 * S3Mock wrote it.
 *
 * <p>S3Mock rewrites a bucket's {@code bucketMetadata.json}, which holds the bucket's key to object id map, in
 * place on every new key, and an object's {@code objectMetadata.json} and {@code binaryData} in place too. A
 * kill in the middle of such a write leaves an empty or cut-off file; an empty bucket file makes S3Mock answer
 * every request on that bucket with 500, on every later start. So, per bucket: an unreadable map is rebuilt
 * from the objects' own metadata (the key and id each one records), and an object whose write did not finish
 * (its metadata unreadable, its data missing or not of the size the metadata records) is left out of the map,
 * as if that write had not happened. Work that was writing it when the process died is still owed (its message
 * was not deleted) and writes it again. Object folders are never deleted; the repaired map is written to a
 * temporary file and moved over the old one.
 */
final class S3MockStoreRepair {

    static final String BUCKET_METADATA = "bucketMetadata.json";
    static final String OBJECT_METADATA = "objectMetadata.json";
    static final String OBJECT_DATA = "binaryData";

    private static final Logger LOG = LoggerFactory.getLogger(S3MockStoreRepair.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CREATION_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

    private S3MockStoreRepair() {
    }

    /** Repairs every bucket under {@code root} (S3Mock's store root); returns what it changed, per bucket. */
    static Map<String, List<String>> repair(Path root, String region) {
        Map<String, List<String>> repaired = new LinkedHashMap<>();
        if (!Files.isDirectory(root)) {
            return repaired;
        }
        try (Stream<Path> folders = Files.list(root)) {
            for (Path bucket : folders.filter(f -> Files.isRegularFile(f.resolve(BUCKET_METADATA))).sorted().toList()) {
                List<String> changes = repairBucket(bucket, region);
                if (!changes.isEmpty()) {
                    LOG.warn("S3 store: bucket {} was cut short while it was written (the process was killed?): {}",
                            bucket.getFileName(), changes);
                    repaired.put(bucket.getFileName().toString(), changes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("can't repair the S3 store in " + root, e);
        }
        return repaired;
    }

    private static List<String> repairBucket(Path bucket, String region) throws IOException {
        Path file = bucket.resolve(BUCKET_METADATA);
        ObjectNode metadata = readObject(file);
        Map<String, ObjectNode> objects = completeObjects(bucket);
        List<String> changes = new ArrayList<>();
        if (metadata == null || !(metadata.get("objects") instanceof ObjectNode)) {
            if (metadata == null) {
                metadata = newBucketMetadata(bucket, region);
            }
            ObjectNode keys = metadata.putObject("objects");
            // Oldest first, so that of two objects with one key (not written by S3Mock, but possible) the newest wins.
            objects.values().stream().sorted(Comparator.comparingLong(o -> o.path("lastModified").asLong()))
                    .forEach(o -> keys.put(o.get("key").asText(), o.get("id").asText()));
            changes.add("its key map was unreadable and is rebuilt from its " + keys.size() + " complete objects");
        } else {
            for (Iterator<Map.Entry<String, JsonNode>> keys = metadata.get("objects").fields(); keys.hasNext();) {
                Map.Entry<String, JsonNode> key = keys.next();
                if (!objects.containsKey(key.getValue().asText())) {
                    keys.remove();
                    changes.add("object " + key.getKey() + " was not completely written and is left out");
                }
            }
        }
        if (!changes.isEmpty()) {
            Path partial = bucket.resolve(BUCKET_METADATA + ".repaired");
            JSON.writeValue(partial.toFile(), metadata);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return changes;
    }

    /** The bucket's objects whose metadata is readable and whose data has the size it records, by id. */
    private static Map<String, ObjectNode> completeObjects(Path bucket) throws IOException {
        Map<String, ObjectNode> objects = new LinkedHashMap<>();
        try (Stream<Path> folders = Files.list(bucket)) {
            for (Path folder : folders.filter(Files::isDirectory).toList()) {
                ObjectNode object = readObject(folder.resolve(OBJECT_METADATA));
                Path data = folder.resolve(OBJECT_DATA);
                if (object != null && object.hasNonNull("key") && folder.getFileName().toString().equals(object.path("id").asText())
                        && Files.isRegularFile(data) && Long.toString(Files.size(data)).equals(object.path("size").asText())) {
                    objects.put(object.get("id").asText(), object);
                }
            }
        }
        return objects;
    }

    /** What S3Mock writes for a bucket created with its defaults, the creation date being now. */
    private static ObjectNode newBucketMetadata(Path bucket, String region) {
        ObjectNode metadata = JSON.createObjectNode();
        metadata.put("name", bucket.getFileName().toString());
        metadata.put("creationDate", CREATION_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
        metadata.putObject("versioningConfiguration").putNull("MfaDelete").putNull("Status")
                .put("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/");
        metadata.putNull("objectLockConfiguration");
        metadata.putNull("bucketLifecycleConfiguration");
        metadata.put("objectOwnership", "BucketOwnerEnforced");
        metadata.put("path", bucket.toAbsolutePath().toUri().toString());
        metadata.put("bucketRegion", region);
        metadata.putNull("bucketInfo");
        metadata.putNull("locationInfo");
        return metadata;
    }

    /** The JSON object in {@code file}, or null if it is missing, empty or cut off. */
    private static ObjectNode readObject(Path file) {
        try {
            return Files.isRegularFile(file) && JSON.readTree(file.toFile()) instanceof ObjectNode object ? object : null;
        } catch (IOException unreadable) {
            return null;
        }
    }
}
