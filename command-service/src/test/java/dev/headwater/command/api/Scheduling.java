package dev.headwater.command.api;

import java.util.List;

/** Test helper: takes every node other tests left schedulable out of the scheduler's reach. */
final class Scheduling {

    private Scheduling() {}

    static void cordonEveryNode(Api api) {
        List<String> active = ServiceIT.owner()
                .queryForList("SELECT node_id FROM command.nodes WHERE status = 'active'", String.class);
        for (String node : active) {
            Api.Response response =
                    api.post("/v1/nodes/" + node + "/cordon", ServiceIT.ADMIN, "{\"reason\": \"test isolation\"}");
            if (response.status() != 200) {
                throw new IllegalStateException("cordoning " + node + " failed: " + response);
            }
        }
    }
}
