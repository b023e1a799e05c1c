package dev.headwater.command.stream;

import dev.headwater.command.CommandProperties;
import dev.headwater.command.controlplane.ControlPlane;
import dev.headwater.command.eventstore.AppendResult;
import dev.headwater.command.eventstore.EventIds;
import dev.headwater.command.eventstore.EventStore;
import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.eventstore.FeedCursor;
import dev.headwater.command.eventstore.FeedPage;
import dev.headwater.command.eventstore.NewEvent;
import dev.headwater.command.eventstore.StreamHead;
import dev.headwater.command.eventstore.StreamId;
import dev.headwater.command.eventstore.StreamOfAnotherTenant;
import dev.headwater.command.execution.CommandOutcome;
import dev.headwater.command.http.CommandHttp;
import dev.headwater.command.http.Input;
import dev.headwater.command.tenant.TenantCommands;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.problem.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
@Tag(name = "streams", description = "Append to and read your own aggregates' streams; follow the catch-up feed")
class StreamController {

    /** Event types: a letter, then letters, digits and {@code . _ -}, at most 128 characters. */
    static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,127}");

    static final int MAX_SCHEMA_VERSION = 10_000;

    private final EventStore store;
    private final TenantCommands tenants;
    private final CommandHttp http;
    private final CommandProperties properties;

    StreamController(EventStore store, TenantCommands tenants, CommandHttp http, CommandProperties properties) {
        this.store = store;
        this.tenants = tenants;
        this.http = http;
        this.properties = properties;
    }

    record AppendEvents(
            @Schema(description = "The stream's tenant; platform admins must name it, tenant tokens may leave it out")
            @Nullable
            String tenantId,

            @Schema(
                    description = "A version number, \"no-stream\" or \"any\" (the default); If-Match does the same",
                    oneOf = {Long.class, String.class})
            @Nullable
            JsonNode expectedVersion,

            @Nullable List<EventBody> events) {}

    record EventBody(
            @Nullable String type,
            @Nullable Integer schemaVersion,
            @Nullable JsonNode payload) {}

    record StreamPage(String aggregateType, String aggregateId, long version, List<EventView> events) {}

    record Feed(List<EventView> events, String next) {}

    @PostMapping(
            path = "/v1/streams/{aggregateType}/{aggregateId}/events",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Append a batch of events to a stream",
            description = "One transaction; all events or none. The control-plane aggregate types (tenant, node,"
                    + " allocation, api-token) are written by their commands only.")
    @Nullable
    ResponseEntity<String> append(
            @PathVariable String aggregateType,
            @PathVariable String aggregateId,
            @RequestBody AppendEvents body,
            ApiPrincipal principal,
            HttpServletRequest request,
            HttpServletResponse response)
            throws IOException {
        StreamId stream = streamId(aggregateType, aggregateId);
        if (ControlPlane.AGGREGATE_TYPES.contains(stream.aggregateType())) {
            throw ApiProblem.unprocessable("Events of " + stream.aggregateType()
                            + " streams are appended by the control-plane commands only")
                    .withField("aggregateType");
        }
        String tenantId = tenantOf(body.tenantId(), principal);
        List<NewEvent> events = events(body.events());
        ExpectedVersion fromHeader = CommandHttp.ifMatch(request);
        ExpectedVersion fromBody = expectedVersion(body.expectedVersion());
        if (fromHeader.isPinned() && fromBody.isPinned() && !fromHeader.equals(fromBody)) {
            throw ApiProblem.badRequest("expectedVersion", "expectedVersion and If-Match disagree");
        }
        ExpectedVersion expected = fromHeader.isPinned() ? fromHeader : fromBody;
        // One INSERT ... SELECT, which reads the head only after it inserted nothing (JdbcEventStore).
        ResponseEntity<String> answer = http.runSingleStatement(
                "stream.append",
                request,
                principal,
                body,
                expected,
                fromHeader.isPinned(),
                metadata -> appendChecked(stream, tenantId, expected, events, metadata, principal));
        // The busiest endpoint writes its answer itself (CommandHttp.write says why) and returns
        // nothing for Spring MVC to render; the declared type keeps the OpenAPI document's schema.
        CommandHttp.write(answer, response);
        return null;
    }

    private CommandOutcome appendChecked(
            StreamId stream,
            String tenantId,
            ExpectedVersion expected,
            List<NewEvent> events,
            EventMetadata metadata,
            ApiPrincipal principal) {
        List<NewEvent> withMetadata = events.stream()
                .map(event -> new NewEvent(
                        event.eventId(), event.eventType(), event.schemaVersion(), event.payload(), metadata))
                .toList();
        AppendResult append;
        try {
            append = store.append(stream, tenantId, expected, withMetadata);
        } catch (StreamOfAnotherTenant e) {
            Access.requireRead(principal, e.owner());
            throw ApiProblem.unprocessable("The stream belongs to tenant " + e.owner())
                    .withField("tenantId");
        }
        return CommandOutcome.created(
                append,
                "/v1/streams/" + stream.aggregateType() + "/" + stream.aggregateId() + "/events",
                Map.of("tenantId", tenantId));
    }

    @GetMapping(path = "/v1/streams/{aggregateType}/{aggregateId}/events", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Read a stream's events in version order")
    ResponseEntity<StreamPage> read(
            @PathVariable String aggregateType,
            @PathVariable String aggregateId,
            @Parameter(description = "First version to return") @RequestParam(defaultValue = "1") long fromVersion,
            @Parameter(description = "Most events to return") @RequestParam(required = false) @Nullable Integer limit,
            ApiPrincipal principal) {
        StreamId stream = streamId(aggregateType, aggregateId);
        if (fromVersion < 1) {
            throw ApiProblem.badRequest("fromVersion", "fromVersion must be at least 1");
        }
        int pageSize = pageSize(limit);
        StreamHead head = store.head(stream).orElseThrow(() -> ApiProblem.notFound("No stream " + stream));
        Access.requireRead(principal, head.tenantId());
        List<EventView> events = store.readStream(stream, fromVersion, pageSize).stream()
                .map(EventView::of)
                .toList();
        return ResponseEntity.ok()
                .header(HttpHeaders.ETAG, "\"" + head.version() + "\"")
                .body(new StreamPage(stream.aggregateType(), stream.aggregateId(), head.version(), events));
    }

    @GetMapping(path = "/v1/events", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "The catch-up feed",
            description = "Every committed event exactly once, in commit-visibility order (transaction id, then global"
                    + " position); pass 'next' back as 'after'. Tenant tokens see their tenant's events.")
    Feed feed(
            @Parameter(description = "Cursor from a previous page's 'next'; from the start when absent")
                    @RequestParam(required = false)
                    @Nullable
                    String after,
            @Parameter(description = "Most events to return") @RequestParam(required = false) @Nullable Integer limit,
            @Parameter(description = "Platform admins: only this tenant's events")
                    @RequestParam(required = false)
                    @Nullable
                    String tenantId,
            ApiPrincipal principal) {
        FeedCursor cursor;
        try {
            cursor = after == null ? FeedCursor.START : FeedCursor.parse(after);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("after", "after must be a cursor from a previous page's 'next'");
        }
        int pageSize = pageSize(limit);
        String tenant = principal.tenantId();
        if (tenantId != null) {
            Access.requireRead(principal, tenantId);
            tenant = tenantId;
        }
        FeedPage page = store.readAll(cursor, pageSize, tenant);
        List<EventView> events = new ArrayList<>(page.events().size());
        for (EventEnvelope event : page.events()) {
            events.add(EventView.of(event));
        }
        return new Feed(events, page.next().encode());
    }

    private static StreamId streamId(String aggregateType, String aggregateId) {
        if (!EventEnvelope.AGGREGATE_TYPE.matcher(aggregateType).matches()) {
            throw ApiProblem.badRequest(
                    "aggregateType",
                    "aggregateType must be 1–64 characters of a-z, 0-9, '_' and '-', starting with a letter");
        }
        if (!StreamId.AGGREGATE_ID.matcher(aggregateId).matches()) {
            throw ApiProblem.badRequest(
                    "aggregateId",
                    "aggregateId must be 1–128 characters of A-Z, a-z, 0-9 and . _ : @ -, starting with a letter or digit");
        }
        return new StreamId(aggregateType, aggregateId);
    }

    private String tenantOf(@Nullable String requested, ApiPrincipal principal) {
        if (principal.tenantId() != null) {
            String tenant = requested == null ? principal.tenantId() : Input.id("tenantId", requested);
            Access.requireWrite(principal, tenant);
            return tenant;
        }
        if (requested == null) {
            throw ApiProblem.badRequest("tenantId", "tenantId is required for a platform-admin token");
        }
        String tenant = ControlPlane.PLATFORM_TENANT.equals(requested) ? requested : Input.id("tenantId", requested);
        if (!ControlPlane.PLATFORM_TENANT.equals(tenant) && !tenants.exists(tenant)) {
            throw ApiProblem.unprocessable("No tenant " + tenant).withField("tenantId");
        }
        return tenant;
    }

    private List<NewEvent> events(@Nullable List<EventBody> events) {
        if (events == null || events.isEmpty()) {
            throw ApiProblem.badRequest("events", "events must hold at least one event");
        }
        if (events.size() > properties.maxEventsPerAppend()) {
            throw ApiProblem.badRequest(
                    "events", "events may hold at most " + properties.maxEventsPerAppend() + " events per request");
        }
        List<NewEvent> result = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            String field = "events[" + i + "]";
            EventBody event = events.get(i);
            if (event == null) {
                throw ApiProblem.badRequest(field, field + " must be an object");
            }
            String type = Input.required(field + ".type", event.type());
            if (!EVENT_TYPE.matcher(type).matches()) {
                throw ApiProblem.badRequest(
                        field + ".type",
                        field + ".type must start with a letter and hold at most 128 letters, digits and . _ -");
            }
            int schemaVersion = event.schemaVersion() == null ? 1 : event.schemaVersion();
            if (schemaVersion < 1 || schemaVersion > MAX_SCHEMA_VERSION) {
                throw ApiProblem.badRequest(
                        field + ".schemaVersion", "schemaVersion must be between 1 and " + MAX_SCHEMA_VERSION);
            }
            JsonNode payload = Input.payload(field + ".payload", event.payload());
            result.add(new NewEvent(EventIds.next(), type, schemaVersion, payload, EventMetadata.empty()));
        }
        return result;
    }

    private static ExpectedVersion expectedVersion(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return ExpectedVersion.any();
        }
        if (node.isString() && node.asString().equals("any")) {
            return ExpectedVersion.any();
        }
        if (node.isString() && node.asString().equals("no-stream")) {
            return ExpectedVersion.noStream();
        }
        if (node.isIntegralNumber() && node.canConvertToLong() && node.asLong() >= 0) {
            return ExpectedVersion.exactly(node.asLong());
        }
        throw ApiProblem.badRequest(
                "expectedVersion", "expectedVersion must be a version (0 or more), \"no-stream\" or \"any\"");
    }

    private int pageSize(@Nullable Integer limit) {
        if (limit == null) {
            return properties.defaultPageSize();
        }
        if (limit < 1 || limit > properties.maxPageSize()) {
            throw ApiProblem.badRequest("limit", "limit must be between 1 and " + properties.maxPageSize());
        }
        return limit;
    }
}
