package dev.headwater.contract;

/**
 * Which topic carries the events of an aggregate type. The default is
 * {@code headwater.<aggregate_type>.events}; deployments may route differently, and then
 * consumers use the same naming to subscribe.
 */
@FunctionalInterface
public interface TopicNaming {

    String DEFAULT_PREFIX = "headwater";

    String topicFor(String aggregateType);

    /** {@code <prefix>.<aggregate_type>.events}. */
    static TopicNaming prefixed(String prefix) {
        if (!prefix.matches("[A-Za-z0-9._-]+")) {
            throw new ContractViolation("prefix", "'" + prefix + "' is not a valid topic name part");
        }
        return aggregateType -> prefix + "." + aggregateType + ".events";
    }

    static TopicNaming defaults() {
        return prefixed(DEFAULT_PREFIX);
    }
}
