/**
 * The published contract of Headwater's topics. One topic per aggregate type ({@link
 * dev.headwater.contract.TopicNaming}), keyed by aggregate id, each value a CloudEvents 1.0
 * structured-mode JSON document ({@link dev.headwater.contract.CloudEventCodec}) holding one
 * {@link dev.headwater.contract.EventEnvelope}, with the routing essentials repeated in headers
 * ({@link dev.headwater.contract.EventHeaders}).
 */
@NullMarked
package dev.headwater.contract;

import org.jspecify.annotations.NullMarked;
