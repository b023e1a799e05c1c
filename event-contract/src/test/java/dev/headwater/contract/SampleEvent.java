package dev.headwater.contract;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/** The event the contract's tests encode and decode: every attribute set, a nested payload. */
final class SampleEvent {

    private SampleEvent() {}

    static EventEnvelope of(JsonMapper json) {
        return new EventEnvelope(
                UUID.fromString("5f0c6a2e-3a6b-4d1f-9c59-0b3c1d3e2f10"),
                "acme",
                "tenant",
                "acme",
                3,
                "TenantCreated",
                2,
                json.readTree("{\"name\":\"Acme\",\"cpuMillis\":4000,\"labels\":{\"tier\":\"gold\"}}"),
                new EventMetadata(
                        "token:abc",
                        "cmd-1",
                        "corr-1",
                        "cause-1",
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                Instant.parse("2026-11-30T07:00:00.123456Z"),
                9007199254740993L,
                0x1A0B1C2D3L);
    }
}
