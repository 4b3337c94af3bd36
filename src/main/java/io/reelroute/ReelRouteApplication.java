package io.reelroute;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ReelRouteApplication {

    public static void main(String[] args) {
        SpringApplication.run(ReelRouteApplication.class, args);
    }
}
