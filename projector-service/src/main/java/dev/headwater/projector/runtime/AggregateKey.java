package dev.headwater.projector.runtime;

/** One event stream: aggregate type and id. */
record AggregateKey(String type, String id) {

    @Override
    public String toString() {
        return type + "/" + id;
    }
}
