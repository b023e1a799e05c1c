package dev.headwater.contract;

/** Input that does not follow the contract: a permanent error, retrying cannot fix it. */
public final class ContractViolation extends IllegalArgumentException {

    private final String field;

    public ContractViolation(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The attribute or field at fault, as named in the contract. */
    public String field() {
        return field;
    }
}
