package dev.headwater.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * HTTP settings shared by the services ({@code headwater.web.*}).
 *
 * @param maxBodySize the largest request body accepted; larger ones get 413. Default 1MB.
 */
@ConfigurationProperties("headwater.web")
public record WebProperties(@DefaultValue("1MB") DataSize maxBodySize) {

    public WebProperties {
        if (maxBodySize.toBytes() <= 0) {
            throw new IllegalArgumentException("headwater.web.max-body-size must be positive");
        }
    }
}
