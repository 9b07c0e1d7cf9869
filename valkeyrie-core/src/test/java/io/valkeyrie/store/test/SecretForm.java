package io.valkeyrie.store.test;

import io.valkeyrie.store.StoreConfig;

/**
 * The forms a secret can be handed to {@link StoreConfig.Builder} in: a {@code String}, a
 * {@code char[]} or a supplier. Authentication tests run once per form
 * ({@code @EnumSource(SecretForm.class)}), so each form is shown to reach the server.
 */
public enum SecretForm {

	/** {@code credentials(String, String)}, {@code token(String)}. */
	STRING {
		@Override
		public StoreConfig.Builder credentials(StoreConfig.Builder builder, String username, String password) {
			return builder.credentials(username, password);
		}

		@Override
		public StoreConfig.Builder token(StoreConfig.Builder builder, String token) {
			return builder.token(token);
		}
	},

	/** {@code credentials(String, char[])}, {@code token(char[])}; the test's array is wiped right after. */
	CHARS {
		@Override
		public StoreConfig.Builder credentials(StoreConfig.Builder builder, String username, String password) {
			char[] chars = password.toCharArray();
			builder.credentials(username, chars);
			java.util.Arrays.fill(chars, '\0');
			return builder;
		}

		@Override
		public StoreConfig.Builder token(StoreConfig.Builder builder, String token) {
			char[] chars = token.toCharArray();
			builder.token(chars);
			java.util.Arrays.fill(chars, '\0');
			return builder;
		}
	},

	/** {@code credentials(String, Supplier<char[]>)}, {@code token(Supplier<char[]>)}. */
	SUPPLIER {
		@Override
		public StoreConfig.Builder credentials(StoreConfig.Builder builder, String username, String password) {
			return builder.credentials(username, password::toCharArray);
		}

		@Override
		public StoreConfig.Builder token(StoreConfig.Builder builder, String token) {
			return builder.token(token::toCharArray);
		}
	};

	/** The builder with the user name and the password in this form. */
	public abstract StoreConfig.Builder credentials(StoreConfig.Builder builder, String username, String password);

	/** The builder with the token in this form. */
	public abstract StoreConfig.Builder token(StoreConfig.Builder builder, String token);

}
