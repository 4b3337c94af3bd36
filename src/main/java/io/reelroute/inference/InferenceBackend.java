package io.reelroute.inference;

/**
 * A model that turns one segment into its stereo output. Chosen by {@code reelroute.inference.backend};
 * each implementation is a Spring bean named after its setting value.
 * <p>
 * Failures: {@link InferenceFailure} when the model ran and did not produce the output (the hop retries it
 * with backoff, then fails the job); {@link io.reelroute.contract.PermanentJobFailure} when it refused the
 * request (fails the job at once); anything else is an infrastructure fault (retried, then the message is
 * left for SQS to deliver again).
 */
public interface InferenceBackend {

    /**
     * Whether the backend reads the input and writes the output in S3 itself ({@code s3_input_uri},
     * {@code s3_output_uri}); otherwise it works on {@link SegmentWork#inputFile()} and writes
     * {@link SegmentWork#outputFile()}, and the hop moves both to and from S3.
     */
    boolean worksInS3();

    /** The value of {@code reelroute.inference.backend} that selects it. */
    String name();

    void infer(SegmentWork work);
}
