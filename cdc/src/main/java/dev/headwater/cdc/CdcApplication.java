package dev.headwater.cdc;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The CDC relay service: one active reader per slot, actuator on port 8083. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CdcApplication {

    public static void main(String[] args) {
        SpringApplication.run(CdcApplication.class, args);
    }
}
