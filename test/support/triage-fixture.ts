/**
 * A small training set for triage tests, WRITTEN FOR THESE TESTS (not real customer data): support
 * messages about billing, delivery and signing in, in English, Russian, Chinese, Persian and
 * German, so the tests show the model learning from every script. Each row also names a product.
 */
import type { LabelledText } from '../../functions/core/triage/model.js';

export interface FixtureRow {
  text: string;
  type: 'billing' | 'delivery' | 'login';
  product: 'subscription' | 'lamp' | 'app';
}

const billing: string[] = [
  'I was charged twice for my subscription this month',
  'Please refund the double payment on my invoice',
  'My invoice shows the wrong amount, I was overcharged',
  'Why did you take money from my card twice?',
  'The monthly fee was debited two times, refund please',
  'С меня дважды списали плату за подписку',
  'Верните деньги, в счёте неправильная сумма',
  'Почему с карты списали оплату два раза?',
  '我的订阅本月被扣了两次钱',
  '请退还发票上多收的费用',
  '为什么我的卡被重复扣款？',
  'هزینه اشتراک این ماه دو بار از حسابم کم شد',
  'لطفاً مبلغ اضافه فاکتور را برگردانید',
  'چرا دو بار از کارتم پول برداشت شد؟',
  'Die Rechnung wurde doppelt von meiner Karte abgebucht',
  'Bitte erstatten Sie die doppelte Zahlung des Abos',
];

const delivery: string[] = [
  'My lamp has not arrived yet, where is the parcel?',
  'The delivery of my order is two weeks late',
  'The courier never delivered the package',
  'Tracking says shipped but nothing arrived',
  'When will my lamp be delivered?',
  'Моя посылка с лампой до сих пор не пришла',
  'Курьер так и не доставил заказ',
  'Когда доставят мой заказ?',
  '我的灯还没有送到，包裹在哪里？',
  '快递员一直没有送货',
  '我的订单什么时候发货？',
  'بسته لامپ من هنوز نرسیده است',
  'پیک سفارش مرا تحویل نداد',
  'سفارش من کی ارسال می‌شود؟',
  'Mein Paket mit der Lampe ist noch nicht angekommen',
  'Der Kurier hat die Lieferung nie zugestellt',
];

const login: string[] = [
  'I cannot log in to the app, my password is rejected',
  'The app says my account is locked after login attempts',
  'Password reset email never comes, cannot sign in',
  'Two-factor code does not work when I sign in to the app',
  'I forgot my password and cannot access my account',
  'Не могу войти в приложение, пароль не подходит',
  'Аккаунт заблокирован после попыток входа',
  'Не приходит письмо для сброса пароля',
  '我无法登录应用，密码错误',
  '登录后账户被锁定了',
  '收不到重置密码的邮件',
  'نمی‌توانم وارد برنامه شوم، رمز عبور قبول نمی‌شود',
  'حساب کاربری من بعد از ورود قفل شد',
  'ایمیل بازیابی رمز عبور نمی‌رسد',
  'Ich kann mich nicht in der App anmelden, das Passwort wird abgelehnt',
  'Mein Konto ist nach mehreren Anmeldeversuchen gesperrt',
];

export const TRIAGE_FIXTURE: readonly FixtureRow[] = [
  ...billing.map((text) => ({ text, type: 'billing' as const, product: 'subscription' as const })),
  ...delivery.map((text) => ({ text, type: 'delivery' as const, product: 'lamp' as const })),
  ...login.map((text) => ({ text, type: 'login' as const, product: 'app' as const })),
];

export const fixtureExamples = (field: 'type' | 'product'): LabelledText[] => TRIAGE_FIXTURE.map((r) => ({ text: r.text, label: r[field] }));

/** New messages (not in the training set), one per script, with the type they are about. */
export const UNSEEN: readonly { text: string; type: FixtureRow['type'] }[] = [
  { text: 'You charged my card twice, I want a refund', type: 'billing' },
  { text: 'Посылка не пришла, где мой заказ?', type: 'delivery' },
  { text: '我忘记密码了，无法登录', type: 'login' },
  { text: 'دو بار از حسابم پول کم شد، لطفاً برگردانید', type: 'billing' },
  { text: 'Die Lampe ist immer noch nicht geliefert worden', type: 'delivery' },
];
