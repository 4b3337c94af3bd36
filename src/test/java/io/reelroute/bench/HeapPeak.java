package io.reelroute.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * This JVM's heap since the last reset: the most it held at one time, garbage included (sampled every 10 ms; the
 * heap pools' own peaks come at different times, so their sum can exceed -Xmx), and the most it held right after
 * a collection, which is the live data plus what the collector left.
 */
final class HeapPeak {

    private static final AtomicLong PEAK = new AtomicLong();
    private static final AtomicLong AFTER_COLLECTION = new AtomicLong();

    static {
        Thread sampler = new Thread(() -> {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            while (true) {
                PEAK.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-peak");
        sampler.setDaemon(true);
        sampler.start();
        for (var collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) collector).addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    long after = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo()
                            .getMemoryUsageAfterGc().entrySet().stream().filter(pool -> isHeap(pool.getKey()))
                            .map(Map.Entry::getValue).mapToLong(MemoryUsage::getUsed).sum();
                    AFTER_COLLECTION.accumulateAndGet(after, Math::max);
                }
            }, null, null);
        }
    }

    private HeapPeak() {
    }

    static void reset() {
        System.gc();
        PEAK.set(0);
        AFTER_COLLECTION.set(0);
    }

    /** The most the heap held at one time since the reset, garbage included. */
    static long bytes() {
        return PEAK.get();
    }

    /** The most the heap held right after a collection since the reset. */
    static long afterCollectionBytes() {
        return AFTER_COLLECTION.get();
    }

    private static boolean isHeap(String pool) {
        return ManagementFactory.getMemoryPoolMXBeans().stream().anyMatch(p -> p.getName().equals(pool)
                && p.getType() == MemoryType.HEAP);
    }
}
