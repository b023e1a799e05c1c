package dev.headwater.cdc.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The producer opens one compressing stream per partition batch, on the thread that calls
 * {@code send}: what that costs in garbage is paid for every small batch of a steady load
 * (docs/adr/0027). Measured with the JVM's per-thread allocation counter.
 */
class ProducerCompressionTest {

    /** Record-batch format version 2, the only one the relay's producer writes. */
    private static final byte MAGIC_V2 = 2;

    private static final int BATCHES = 200;
    private static final byte[] EVENT = ("{\"specversion\":\"1.0\",\"type\":\"TenantQuotaSet\","
                    + "\"data\":{\"quota\":{\"cpuMillis\":1042,\"memoryMib\":1024,\"gpus\":0}}}")
            .repeat(4)
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void the_default_compression_compresses_a_small_batch_without_fresh_block_buffers() throws IOException {
        String compression = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("headwater.cdc", CdcProperties.class)
                .producer()
                .compression();

        assertThat(bytesAllocatedPerBatch(compression)).isLessThan(16 * 1024);
    }

    @Test
    void lz4_allocates_its_two_block_buffers_for_every_batch_however_small() throws IOException {
        // The measurement itself: were the counter blind, the test above could not fail.
        assertThat(bytesAllocatedPerBatch("lz4")).isGreaterThan(128 * 1024);
    }

    private static long bytesAllocatedPerBatch(String compressionType) throws IOException {
        Compression compression = Compression.of(compressionType).build();
        ByteBufferOutputStream buffer = new ByteBufferOutputStream(256 * 1024);
        compressFiveEvents(compression, buffer); // class loading and first-use caches
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < BATCHES; i++) {
            compressFiveEvents(compression, buffer);
        }
        return (threads.getCurrentThreadAllocatedBytes() - before) / BATCHES;
    }

    private static void compressFiveEvents(Compression compression, ByteBufferOutputStream buffer) throws IOException {
        buffer.position(0);
        try (OutputStream out = compression.wrapForOutput(buffer, MAGIC_V2)) {
            for (int i = 0; i < 5; i++) {
                out.write(EVENT);
            }
        }
    }
}
