/**
 * The wording of machine-generated mail, across mail servers, providers and languages: what
 * email-classify.ts looks for when a message carries no standard header that says what it is.
 *
 * Written from the formats themselves (Exim, Postfix, Sendmail, qmail, Exchange/Office 365, Lotus
 * Domino, Gmail, Yahoo, Mail.ru, Japanese carriers and ISPs, QQ/NetEase-style Chinese notices,
 * challenge-response systems, out-of-office replies in 25 languages) and tested against a fixture set
 * in that shape (test/fixtures/email-recognition) and the real-mail corpus. Every pattern is linear
 * (no nested quantifiers), and each is only ever run on a bounded slice of text.
 */

// --- bounces --------------------------------------------------------------------------------------

/** Subjects of delivery-failure and delay notices. Anchored at the start unless the wording is unmistakable anywhere. */
export const BOUNCE_SUBJECTS: readonly RegExp[] = [
  /undeliver(able|ed)/i,
  /delivery (status notification|failure|failed|has failed|problem|notification|report|delayed|incomplete)/i,
  /^mail delivery (failed|failure|subsystem|system)/i,
  /^(returned|undelivered|failed|rejected|bounced) (mail|message|e-?mail)/i,
  /^failure (notice|delivery)/i,
  /^delivery failure/i,
  /^failed mail\b/i,
  /^mail failure/i,
  /^mail system error/i,
  /^(nondeliverable|non-delivery|non delivery|nicht zustellbare)/i,
  /^(message|mail) (not delivered|could not be delivered|delayed|delivery (failed|delayed))/i,
  /^(postmaster notify|error report from postmaster|error sending message)/i,
  /^warning: (message .{0,40} delayed|could not send message|message delayed)/i,
  /^delayed mail\b/i,
  /could not send message for past/i,
  /^(delivery|transmission) (delay|delayed)/i,
  /^(permanent|temporary) (delivery )?(failure|error)/i,
  /non remis|non-remise|[ée]chec de (la )?(remise|distribution)|notification d['’][ée]tat de (la )?remise/i,
  /unzustellbar|nicht zustellbar|übermittlungsfehler|zustellungsfehler|benachrichtigung zum zustellstatus|zustellung (fehlgeschlagen|verzögert)/i,
  /no se (puede|pudo) entregar|no entregad[oa]|notificaci[óo]n de estado de (la )?entrega|error de entrega/i,
  /non recapitabile|mancata consegna|notifica dello stato di consegna|messaggio non recapitato/i,
  /n[ãa]o (entregue|foi poss[íi]vel entregar)|notifica[çc][ãa]o de status de entrega|falha na entrega/i,
  /onbestelbaar|kan niet worden bezorgd|niet afgeleverd/i,
  /olevererbart|kan inte levereras|ikke levert|kunne ikke leveres|leveransfel|toimitus ep[äa]onnistui/i,
  /niedostarczalne|nie mo[żz]na dostarczy[ćc]|nie dostarczono/i,
  /не доставлено|недоставлен|не удалось доставить|ошибка доставки|mail failure/i,
  /配信不能|配送不能|未送達|配信エラー|配送エラー|送信エラー|不達|宛先不明|エラーメール|返送|配信遅延|配送遅延|届きませんでした/,
  /退信|系统退信|系統退信|退回|无法投递|無法投遞|投递失败|投遞失敗|发送失败|發送失敗|未能送达|邮件被退|郵件被退|延迟投递|延遲投遞/,
  /반송|전송 실패|배달 실패|발송 실패/,
];

/** Sentences of a delivery-failure notice, read in the first few KB of its text (the part before the copy of the original). */
export const BOUNCE_BODY: readonly RegExp[] = [
  /could not be delivered|couldn['’]t be delivered|was not delivered|wasn['’]t delivered|has not yet been delivered|not yet been delivered/i,
  /delivery to the following recipients? (failed|has been delayed)|delivery has failed to these recipients|delivery is delayed to these recipients/i,
  /the following addresses had (permanent fatal errors|delivery problems|transient non-fatal errors)/i,
  /unable to deliver (your )?message to the following/i,
  /i['’]m sorry to have to inform you|i['’]m afraid i wasn['’]t able to deliver/i,
  /this is the (mail system|qmail-send program) at/i,
  /this message was created automatically by mail delivery software/i,
  /returning message to sender|message (will be|was) returned to (the )?sender/i,
  /your (mail|message) (sent on|attempted to be delivered on)/i,
  /could not deliver (the )?(mail|message)|delivery (of your message )?failed permanently|permanent (fatal )?error/i,
  /\b(user unknown|unknown user|no such (user|mailbox)|mailbox (unavailable|not found|is full|full)|recipient (address )?rejected|address (couldn['’]t|could not) be found)\b/i,
  /\b(5\.\d\.\d{1,3}|4\.\d\.\d{1,3})\b[^\n]{0,80}\b(rejected|unknown|not found|unavailable|full|denied|failed|timed out|deferred)/i,
  /(ihre nachricht|die nachricht|ihre e-mail)[^.\n]{0,60}(konnte nicht|wurde nicht)[^.\n]{0,30}(zugestellt|übermittelt)/i,
  /(votre message|le message)[^.\n]{0,60}n['’]a pas (pu être|été) (remis|distribué|délivré)/i,
  /(su mensaje|el mensaje)[^.\n]{0,60}no (se )?(pudo|ha podido|puede) (ser )?entregad?o?/i,
  /(il (tuo )?messaggio|il messaggio)[^.\n]{0,60}non (è stato|può essere) (recapitato|consegnato)|non è stato possibile recapitare/i,
  /(sua mensagem|a mensagem)[^.\n]{0,60}n[ãa]o (pôde|pode|foi) (ser )?entregue/i,
  /(uw bericht|het bericht)[^.\n]{0,60}(kon niet|kan niet|is niet) (worden )?(afgeleverd|bezorgd)/i,
  /(сообщение|письмо)[^.\n]{0,60}не (может быть|было|удалось) (доставлено|доставить)/i,
  /配信できませんでした|送信できませんでした|お届けできませんでした|届きませんでした|配送できませんでした|宛先が見つかりません|宛先不明|配信に失敗|配信が遅延|遅延しています/,
  /邮件被退回|郵件被退回|无法送达|無法送達|无法投递|無法投遞|投递失败|投遞失敗|退信原因|发送失败|發送失敗|收件人不存在|收件人邮箱不存在|延迟投递/,
  /반송되었습니다|전달되지 못했습니다|전송되지 않았습니다/,
];

/** Markers after which a notice quotes or attaches the original message (its addresses are not the failed ones). */
export const ORIGINAL_MESSAGE_MARKER =
  /^.{0,8}(-{2,}.{0,10}(original message|copy of (the|your) message|below this line|returned message|message headers)|original message (follows|headers)|以下は?元のメッセージ|元のメッセージ|原邮件信息|原始邮件|原郵件|原始郵件|Content-Type: message\/rfc822)/im;

/** Wording of a delay: the message is still being retried, nothing failed for good (yet). */
export const DELAY_WORDING =
  /\bdelay(ed)?\b|not yet been delivered|still (being )?retried|will (keep )?(retry|trying)|continue to (try|retry)|warning only|warning message only|could not send message for past|temporar(y|ily) (failure|error|problem)|遅延|延迟|延遲|verzögert|retardé|retrasad|ritardat|atrasad|vertraagd|задерж|opóźni|försenad/i;

/** Local parts and display names of mail servers' notice senders. */
export const DAEMON_LOCAL_PART =
  /^(mailer-daemon|mailerdaemon|mail-daemon|maildaemon|postmaster|mdaemon|mail\.delivery|maildelivery|mail-delivery|mailadmin|mail-admin|mmdf|smtp\.?mailer|bounce-?notify)([-+.].*)?$/i;
export const DAEMON_DISPLAY_NAME =
  /^(mail delivery (system|subsystem|service)|mail (administrator|system)|(microsoft )?(outlook|exchange)( online)?|postmaster|mailer-daemon|mail delivery|delivery status notification|system administrator|qq邮箱|網易郵件中心|网易邮件中心|系统退信|系統退信|メール配信システム|postmaster@.*)$/i;

// --- auto-replies ---------------------------------------------------------------------------------

/**
 * The auto-reply prefix, then what closes it: a colon (full-width too), a bracket, a dash, or the end
 * of the subject. "Automatic reply: Printer on fire" is an auto-reply; "Automatic reply settings do
 * not work" is a customer's question.
 */
const closes = String.raw`['"׳’”»]?\s*(?:[:：\]】)\-–]|$)`;
const startsWith = (phrases: string) => new RegExp(String.raw`^\s*[\[【(]?\s*(?:${phrases})${closes}`, 'iu');

export const AUTO_REPLY_SUBJECTS: readonly RegExp[] = [
  startsWith(String.raw`(?:automatic|auto)[\s-]?(?:reply|response|answer|responder)|autoreply|autoresponse|auto-?response`),
  startsWith(
    String.raw`out of (?:the )?office(?: auto ?reply| reply| notice| message)?|ooo|away from (?:the )?office|vacation(?: reply| message| notice| response)?|on vacation|on leave|absence notice|away notice`,
  ),
  startsWith(String.raw`abwesenheitsnotiz|abwesenheit|automatische antwort|abwesend|nicht im büro`),
  startsWith(String.raw`r[ée]ponse automatique|absence|message d['’]absence|absent(?:e)?|hors du bureau`),
  startsWith(String.raw`risposta automatica|fuori sede|fuori ufficio|assente|risposta automatica di assenza`),
  startsWith(String.raw`respuesta autom[áa]tica|fuera de la oficina|ausente|fuera de oficina`),
  startsWith(String.raw`resposta autom[áa]tica|ausente|fora do escrit[óo]rio|resposta autom[àa]tica`),
  startsWith(String.raw`automatisch antwoord|afwezig|niet aanwezig|afwezigheidsbericht`),
  startsWith(String.raw`automatyczna odpowied[źz]|poza biurem|nieobecno[śs][ćc]|odpowied[źz] automatyczna`),
  startsWith(String.raw`autosvar|automatiskt svar|automatisk svar|automatisk besked|fr[åa]nvaro|frav[æa]r|fraværende|ikke på kontoret|inte på kontoret`),
  startsWith(String.raw`automaattinen vastaus|poissa|lomalla`),
  startsWith(String.raw`автоматический ответ|автоответ|автоответчик|нет на месте|вне офиса|в отпуске|автоматична відповідь|автоматичен отговор`),
  startsWith(String.raw`automatick[áa] odpov[ěe][ďd]|automatick[áa] odpoveď|mimo kancel[áa][řr]`),
  startsWith(
    String.raw`automatikus v[áa]lasz|h[áa]zon k[íi]v[üu]l|automatski odgovor|samodejni odgovor|automatinis atsakymas|autom[āa]tisk[āa] atbilde|automaatne vastus`,
  ),
  startsWith(String.raw`otomatik yan[ıi]t|otomatik cevap|ofis d[ıi][şs][ıi]nda`),
  startsWith(String.raw`αυτόματη απάντηση|εκτός γραφείου`),
  startsWith(String.raw`r[ăa]spuns automat|resposta autom[àa]tica|erantzun automatikoa`),
  startsWith(String.raw`tr[ảa] l[ờo]i t[ựu] đ[ộo]ng|balasan otomatis|jawapan automatik|ตอบกลับอัตโนมัติ`),
  startsWith(String.raw`自動応答|自動返信|自動回信|不在通知|不在のお知らせ|不在|休暇のお知らせ`),
  startsWith(String.raw`自动回复|自動回覆|自动答复|自動答覆|自动应答|休假通知|外出通知`),
  startsWith(String.raw`자동 ?응답|자동 ?회신|부재 ?중|부재중 ?알림`),
  startsWith(String.raw`מענה ['"׳]?אני לא נמצא|מענה אוטומטי|תשובה אוטומטית`),
  startsWith(String.raw`رد تلقائي|الرد التلقائي|خارج المكتب`),
];

/**
 * A person saying they are away, in the first lines of a short reply. On its own this is something a
 * customer also writes ("I was on leave last week"), so an out-of-office needs two signals: one of
 * these, and one of OUT_OF_OFFICE_FOLLOW_UP.
 */
export const OUT_OF_OFFICE_ABSENCE: readonly RegExp[] = [
  /\b(?:i am|i['’]m|i will be|i['’]ll be|i shall be)\s+(?:currently\s+|now\s+|presently\s+)?(?:out of (?:the )?office|away from (?:the |my )?(?:office|desk)|on (?:annual |parental |maternity |paternity |sick |business |a )?(?:leave|vacation|holiday|holidays|business trip|trip)|out on (?:leave|vacation)|travell?ing|away|absent|off work)\b/i,
  /\bthis is an (?:automatic|automated|auto-?generated) (?:reply|response|message|notification)\b|\bauto(?:matic)?[- ]?reply\b/i,
  /\bich bin\b[^\n]{0,50}\b(?:nicht im (?:büro|hause?)|abwesend|außer haus|im urlaub|in urlaub|auf dienstreise|nicht erreichbar|nicht am arbeitsplatz)/i,
  /\bje (?:suis|serai)\b[^.\n]{0,25}\b(?:absente?|en congés?|en vacances|hors du bureau|en déplacement|en dehors du bureau)/i,
  /\b(?:estoy|estaré|me encuentro)[^.\n]{0,25}\b(?:fuera de (?:la )?oficina|ausente|de vacaciones|de viaje)/i,
  /\b(?:sono|sarò)[^.\n]{0,25}\b(?:fuori (?:ufficio|sede)|assente|in ferie|in vacanza|in trasferta)/i,
  /\b(?:estou|estarei|encontro-me)\b[^.\n]{0,25}\b(?:fora do escritório|ausente|de férias|em férias)/i,
  /\bik ben\b[^\n]{0,50}\b(?:afwezig|niet op kantoor|op vakantie|met vakantie|niet aanwezig|niet bereikbaar)/i,
  /(?:^|[^\p{L}])я\s+(?:сейчас\s+|в настоящее время\s+|временно\s+)?(?:в отпуске|в командировке|нахожусь в отпуске|отсутствую|не в офисе|вне офиса)|буду отсутствовать|перебуваю у відпустці|я у відпустці/iu,
  /\b(?:jestem|będę)[^.\n]{0,25}(?:poza biurem|na urlopie|nieobecn[ya]|w delegacji)/i,
  /\bjag är\b[^.\n]{0,25}\b(?:på semester|ledig|inte på kontoret|tjänstledig|föräldraledig|frånvarande|bortrest)/i,
  /\bjeg er\b[^.\n]{0,25}\b(?:på ferie|ikke på kontoret|fraværende|bortrejst|på kursus)/i,
  /\bolen\b[^.\n]{0,25}\b(?:lomalla|poissa toimistolta|poissa|matkoilla)/i,
  /\bjsem\b[^.\n]{0,25}\b(?:mimo kancelář|na dovolené|nepřítom)/i,
  /házon kívül vagyok|szabadságon vagyok|nem vagyok az irodában/i,
  /ofis dışındayım|izindeyim|izinde olacağım/i,
  /εκτός γραφείου|είμαι σε άδεια/i,
  /sunt (?:în concediu|plecat|absent)/i,
  /tôi (?:đang )?(?:nghỉ phép|vắng mặt|không có mặt)/i,
  /saya (?:sedang )?(?:cuti|tidak berada di kantor|di luar kantor)/i,
  /不在にしております|不在にしています|不在です|休暇をいただいております|休暇を取っております|出張のため|不在のため|までお休み|まで休暇/,
  /(?:我|本人)(?:目前|现在|現在|正在|这段时间|這段時間)?(?:不在办公室|不在辦公室|在休假|正在休假|休假中|度假|出差|外出)|休假中|外出中/,
  /부재중|휴가 중|휴가중|사무실에 없/,
  /אני (?:לא נמצא|מחוץ למשרד|בחופשה)/,
  /خارج المكتب|في إجازة/,
];

/** What an out-of-office goes on to say: when its writer is back, that they will answer then, or whom to ask meanwhile. */
export const OUT_OF_OFFICE_FOLLOW_UP: readonly RegExp[] = [
  /\b(?:until|till|through|returning|return(?:ing)? on|back (?:on|in the office|at work)|upon my return|on my return|when i return|after my return|limited access|no access to (?:my )?e-?mail|will (?:respond|reply|get back to you|answer)|urgent|in my absence|please contact)\b/i,
  /\b(?:bis (?:zum|einschließlich|am)?|ab dem|wieder (?:im büro|erreichbar|da)|nach meiner rückkehr|in dringenden fällen|dringende(?:n)? anliegen|bitte wenden sie sich|ihre e-mail wird nicht weitergeleitet)/i,
  /\b(?:jusqu['’]au|je serai de retour|de retour le|à mon retour|dès mon retour|en cas d['’]urgence|pour toute urgence|veuillez contacter)/i,
  /\b(?:hasta el|regresaré|volveré|a mi regreso|en caso de urgencia|para asuntos urgentes|por favor contacte)/i,
  /\b(?:fino al|rientrerò|al mio rientro|per urgenze|in caso di urgenza|si prega di contattare)/i,
  /\b(?:até (?:o dia|dia)?|retornarei|regressarei|no meu regresso|em caso de urgência|para assuntos urgentes|por favor contacte)/i,
  /\b(?:tot en met|tot|weer aanwezig|terug op|bij mijn terugkomst|in dringende gevallen|voor dringende zaken)/i,
  /(?:^|[^\p{L}])(?:до\s|вернусь|по возвращении|в срочных случаях|по срочным вопросам|обращайтесь)/iu,
  /\b(?:do\s|wracam|po powrocie|w pilnych sprawach|proszę o kontakt)/i,
  /\b(?:till och med|tillbaka|åter den|i brådskande ärenden|vid brådskande)/i,
  /\b(?:tilbage|til og med|i akutte tilfælde|haster)/i,
  /\b(?:palaan|takaisin|kiireellisissä asioissa)/i,
  /\b(?:do\s|vracím se|v naléhavých případech)/i,
  /visszatérésem|sürgős|acil durumlarda|dönüşümde|επιστροφή|urgent|până la|cho đến|sampai/i,
  /まで|戻り次第|帰社後|ご返信|緊急の場合|急ぎの場合/,
  /回来后|回來後|返回后|期间|期間|如有急事|紧急事务|緊急事務|请联系|請聯繫/,
  /까지|복귀|급한 용무/,
  /עד|אחזור/,
  /حتى|عند عودتي/,
];

/** Where the writer's own text ends and a quoted message begins (an out-of-office often quotes the message it answers). */
export const QUOTE_START =
  /^(?:>|-{2,}\s*(?:original message|ursprüngliche nachricht|message d['’]origine|mensaje original|messaggio originale|mensagem original|oorspronkelijk bericht|исходное сообщение|元のメッセージ|原始邮件)|on .{1,120} wrote:|am .{1,80} schrieb|le .{1,80} a écrit|el .{1,80} escribió|il .{1,80} ha scritto|from:\s|von:\s|de\s?:\s|发件人|寄件者|差出人|_{10,})/im;

// --- challenge-response ----------------------------------------------------------------------------

/** Headers challenge-response systems set on their challenges. */
export const CHALLENGE_HEADERS = ['x-delivery-agent', 'x-boxbe-verify', 'x-spamarrest', 'x-spam-arrest', 'x-challenge', 'x-cr-system'] as const;

export const CHALLENGE_SUBJECTS: readonly RegExp[] = [
  /\b(?:please )?(?:confirm|verify) (?:your|that your) (?:e-?mail|message|address)\b/i,
  /\bsender (?:verification|authentication|confirmation)\b|\bverification (?:request|required)\b|\bconfirmation (?:request|required)\b/i,
  /\b(?:awaiting|pending|requires?) (?:your )?(?:verification|approval|confirmation)\b/i,
  /\brequest to (?:be added|join)\b|\bguest list\b|\b(?:tmda|spam arrest|boxbe|mailblocks|choicemail)\b/i,
  /bitte best[äa]tigen sie|veuillez confirmer|por favor confirme|si prega di confermare|подтвердите/i,
];

export const CHALLENGE_BODY: readonly RegExp[] = [
  /\bchallenge[- ]response\b/i,
  /\b(?:confirm|prove|verify) (?:that )?you are (?:a )?(?:human|real person|not a (?:robot|spammer|machine))\b/i,
  /\byour (?:message|e-?mail)\b[^.\n]{0,80}\b(?:is being held|has been held|is waiting|awaits|is pending|will be delivered once|will not be delivered until)\b/i,
  /\b(?:click|visit|follow) (?:on )?(?:the|this) (?:link|url|address)\b[^.\n]{0,60}\b(?:verify|confirm|release|approve)\b/i,
  /\bhas not been verified\b|\bunverified sender\b|\bto release your message\b/i,
  /\b(?:protected by|i use) (?:a |an )?(?:spam[- ]?(?:filter|blocker|protection)|anti-?spam (?:system|service)|sender verification|spam arrest|boxbe|mailblocks)\b/i,
  /kein roboter|pas un robot|no (?:es|eres) un robot|non sei un robot|не робот/i,
];
