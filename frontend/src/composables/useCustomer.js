import { computed, toValue } from 'vue';
import { useI18n } from 'vue-i18n';

// Telegram's seven avatar colours, themable as --td-avatar-1 … --td-avatar-7.
export const AVATAR_COLOURS = 7;

/** A customer's name as their profile gives it, or '' when it gives none. */
export function profileName(customer) {
  return [customer?.first_name, customer?.last_name].filter(Boolean).join(' ').trim();
}

/** The name the console shows: the profile's, else @username, else "Customer <id>" (`t` is vue-i18n's). */
export function displayName(customer, id, t) {
  return profileName(customer)
    || (customer?.username ? t('customer.username', { username: customer.username }) : '')
    || t('customer.unknown', { id: id ?? customer?.id ?? '' });
}

/** One or two letters for the avatar. */
export function initials(customer) {
  const words = [customer?.first_name, customer?.last_name].filter(Boolean);
  const source = words.length ? words : [customer?.username].filter(Boolean);
  const letters = source.map((word) => Array.from(String(word).trim())[0] ?? '').join('');
  return (letters || '?').slice(0, 2).toUpperCase();
}

/** Which of the avatar colours a chat gets: stable for the same id, as in Telegram. */
export function avatarColour(id) {
  const n = Math.abs(Number(id) || 0);
  return (n % AVATAR_COLOURS) + 1;
}

/** Where the relay serves the customer's profile photo of a chat (404 when there is none). */
export function avatarUrl(chatId) {
  return chatId == null || chatId === '' ? null : `/api/conversations/${encodeURIComponent(chatId)}/avatar`;
}

/** The display facts of a customer (a ref, getter or plain object). */
export function useCustomer(source, chatId) {
  const { t } = useI18n();
  const customer = computed(() => toValue(source) ?? {});
  const id = computed(() => toValue(chatId) ?? customer.value.id);
  return {
    name: computed(() => displayName(customer.value, id.value, t)),
    handle: computed(() => (customer.value.username
      ? t('customer.username', { username: customer.value.username }) : '')),
    initials: computed(() => initials(customer.value)),
    colour: computed(() => avatarColour(id.value)),
    photo: computed(() => avatarUrl(toValue(chatId))),
  };
}
