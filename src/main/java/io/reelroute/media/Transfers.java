package io.reelroute.media;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Transfers of one work folder's files (segments to S3, outputs from it), a few side by side: a hop's time goes to
 * its media, not to waiting on one request after another. Results come back in the order the transfers were
 * submitted; the first failure is thrown as it was. Closing stops the transfers still waiting and waits for those
 * running, so the work folder can go.
 */
public final class Transfers<T> implements AutoCloseable {

    private final ExecutorService pool;
    private final List<Future<T>> submitted = new ArrayList<>();

    /** At most {@code parallel} at once (at least one). */
    public Transfers(int parallel) {
        this.pool = Executors.newFixedThreadPool(Math.max(1, parallel));
    }

    public void submit(Callable<T> transfer) {
        submitted.add(pool.submit(transfer));
    }

    /** The results of every transfer submitted so far, in order, once all have ended. */
    public List<T> awaitAll() throws IOException {
        List<T> results = new ArrayList<>(submitted.size());
        for (Future<T> transfer : submitted) {
            try {
                results.add(transfer.get());
            } catch (ExecutionException failed) {
                if (failed.getCause() instanceof RuntimeException e) {
                    throw e;
                }
                if (failed.getCause() instanceof IOException e) {
                    throw e;
                }
                throw new IOException("a transfer failed", failed.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for transfers", e);
            }
        }
        return results;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
