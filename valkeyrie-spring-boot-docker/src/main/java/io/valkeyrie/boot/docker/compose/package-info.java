/**
 * Service connections to the backend of a valkeyrie store from Docker Compose services.
 */
@NullMarked
package io.valkeyrie.boot.docker.compose;

import org.jspecify.annotations.NullMarked;
