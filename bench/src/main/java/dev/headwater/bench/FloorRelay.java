package dev.headwater.bench;

import dev.headwater.contract.EventHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The least a relay can do, as a floor under {@code cdc-latency} ({@code --relay=floor}): one
 * thread reads the slot's pgoutput stream with a blocking read (no poll interval, no queue between
 * threads), and hands each inserted row to a Kafka producer with the relay's settings as soon as it
 * is decoded, without waiting for the acknowledgement of the one before. It keeps none of the
 * relay's guarantees (no ordering across a retry, no offsets of its own, no transaction
 * boundaries, no CloudEvents envelope): it only shows how fast commit → Kafka can be on this
 * machine with this Postgres and this broker, so that the relay's figure can be read against it.
 *
 * <p>Arguments: JDBC URL, user, password, slot (created by the caller, pgoutput), publication,
 * bootstrap servers.
 */
final class FloorRelay {

    private FloorRelay() {}

    public static void main(String[] args) throws SQLException, InterruptedException {
        String url = args[0];
        Properties login = new Properties();
        PGProperty.USER.set(login, args[1]);
        PGProperty.PASSWORD.set(login, args[2]);
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(login, "10");
        PGProperty.REPLICATION.set(login, "database");
        PGProperty.PREFER_QUERY_MODE.set(login, "simple");
        String slot = args[3];
        String publication = args[4];

        Properties producerSettings = LatencyFigures.relayProducerSettings(args[5]);

        AtomicLong acknowledged = new AtomicLong();
        try (Connection connection = DriverManager.getConnection(url, login);
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(producerSettings, new ByteArraySerializer(), new ByteArraySerializer())) {
            PGReplicationStream stream = connection
                    .unwrap(PGConnection.class)
                    .getReplicationAPI()
                    .replicationStream()
                    .logical()
                    .withSlotName(slot)
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", publication)
                    .withStatusInterval(2, TimeUnit.SECONDS)
                    .start();
            System.out.println("floor relay streaming from slot " + slot);
            Columns columns = null;
            long lastStatus = System.nanoTime();
            while (true) {
                ByteBuffer message = stream.read();
                byte kind = message.get();
                if (kind == 'R') {
                    columns = Columns.of(message);
                } else if (kind == 'I' && columns != null) {
                    message.getInt(); // relation id: the publication has one table
                    message.get(); // 'N'
                    byte[][] row = tuple(message);
                    long lsn = stream.getLastReceiveLSN().asLong();
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                            "headwater." + text(row[columns.aggregateType]) + ".events",
                            row[columns.aggregateId],
                            row[columns.payload]);
                    record.headers().add(new RecordHeader(EventHeaders.EVENT_ID, row[columns.eventId]));
                    producer.send(record, (metadata, failure) -> {
                        if (failure != null) {
                            System.err.println("send failed: " + failure);
                        } else {
                            acknowledged.accumulateAndGet(lsn, Math::max);
                        }
                    });
                }
                if (System.nanoTime() - lastStatus > TimeUnit.SECONDS.toNanos(1) && acknowledged.get() > 0) {
                    LogSequenceNumber done = LogSequenceNumber.valueOf(acknowledged.get());
                    stream.setAppliedLSN(done);
                    stream.setFlushedLSN(done);
                    lastStatus = System.nanoTime();
                }
            }
        }
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** pgoutput TupleData, text format: every column's bytes, null where the column is NULL. */
    private static byte[][] tuple(ByteBuffer message) {
        int count = message.getShort();
        byte[][] values = new byte[count][];
        for (int i = 0; i < count; i++) {
            byte kind = message.get();
            if (kind == 't') {
                values[i] = new byte[message.getInt()];
                message.get(values[i]);
            }
        }
        return values;
    }

    private static String cString(ByteBuffer message) {
        int start = message.position();
        while (message.get() != 0) {
            // to the terminator
        }
        return new String(
                message.array(), message.arrayOffset() + start, message.position() - start - 1, StandardCharsets.UTF_8);
    }

    /** Where the columns the floor needs are in the table's tuples (pgoutput Relation message). */
    private record Columns(int eventId, int aggregateType, int aggregateId, int payload) {

        static Columns of(ByteBuffer message) {
            message.getInt(); // relation id
            cString(message); // namespace
            cString(message); // name
            message.get(); // replica identity
            int count = message.getShort();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                message.get(); // flags
                names.add(cString(message));
                message.getInt(); // type
                message.getInt(); // type modifier
            }
            return new Columns(
                    names.indexOf("event_id"),
                    names.indexOf("aggregate_type"),
                    names.indexOf("aggregate_id"),
                    names.indexOf("payload"));
        }
    }
}
