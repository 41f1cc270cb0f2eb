"""How receivers and MTAs word the common causes in other languages than English.

Owns the non-English alternatives (regular expressions over normalised, lower-cased reply
text) of the common causes: unknown user, unknown domain, mailbox full, account disabled,
message too large, spam or virus refusal, relaying denied, temporary failure, delivery period
over, too many connections. Each tuple is one general reading per cause in German, French,
Spanish, Italian, Portuguese, Dutch, Polish, Czech, Russian, Japanese, Chinese and Korean:
word forms, the accented spelling and the one mail leaves when it loses diacritics ("ü", "ue"
and "u"), both Chinese scripts. ``text_rules``, ``address_rules`` and ``generic_rules`` make
them rules placed next to the English rule of the same cause (the text reaches them decoded:
``mime_tree.decoded_text`` for notification parts, UTF-8 for a report's fields).

Every alternative holds a literal of three characters or more (``literals``' screen): a Chinese
or Korean two-character word is written inside a longer literal.
"""

from __future__ import annotations

# Up to a few words of the same clause between a noun and what is said of it (a dot inside a
# word, as in an address, does not end the clause; the short span, for the domain, stops there).
_CLAUSE = r"(?:[^.;:!?。]|\.(?! |$)){0,60}?"
_SHORT = r"[^.;:!?。\uff0c,]{0,20}?"

# The domain, not the mailbox: tried before the unknown user ("n'existe pas" and "unbekannt"
# alone are the unknown user's wording).
HOST_UNKNOWN: tuple[str, ...] = (
    r"\b(?:domain|domaine|dominio|dom[ií]nio|domein|domena|dom[ée]na|домен)\w*"
    + _SHORT
    + r"(?:existiert nicht|unbekannt|nicht gefunden|n'existe pas|inconnu|introuvable"
    r"|no existe|desconocido|inexistente|no encontrado|sconosciuto|inesistente|non esiste"
    r"|n[aã]o existe|desconhecido|n[aã]o encontrado|bestaat niet|onbekend|niet gevonden"
    r"|nie istnieje|nieznan|neexistuje|nezn[aá]m|не существует|не найден|неизвестен)",
    r"(?:unbekannte|nieznana|neexistuj\w*|несуществующ\w*|неизвестн\w*) "
    r"(?:domain|domäne|domene|domena|dom[ée]na|домен)",
    r"ドメイン[^。]{0,20}?(?:存在しません|存在しない|見つかりません|不明)",
    r"(?:域名|網域|网域|主机|主機)[^。\uff0c,]{0,10}?(?:不存在|未找到|找不到|无法解析|無法解析)",
    r"도메인[^.]{0,20}?(?:존재하지 않|찾을 수 없)",
)

USER_UNKNOWN: tuple[str, ...] = (
    r"(?:benutzer|empf(?:ä|ae|a)nger|adresse|postfach|mailbox|konto)"
    + _CLAUSE
    # Exchange's German NDR: "Die E-Mail-Adresse, die Sie eingegeben haben, wurde nicht gefunden"
    + r"(?:nicht (?:vorhanden|gefunden)|existiert nicht)",
    r"ung(?:ü|ue|u)ltige?r? (?:e-mail-|empf(?:ä|ae|a)nger)?(?:adresse|empf(?:ä|ae|a)nger|benutzer)",
    r"(?:adresse|destinataire|utilisateur)(?!"
    + _CLAUSE
    + r"(?:exp[ée]diteur|\bip\b))"
    + _CLAUSE
    + r"(?:introuvable|inconnue?s?\b|inexistante?s?\b)",
    r"(?:usuario|destinatario|buz[oó]n|cuenta|direcci[oó]n)\b" + _CLAUSE + r"(?:no existe"
    r"|desconocid[oa]|inexistente|no (?:fue |ha sido )?encontrad[oa]|inv[aá]lid[oa])",
    r"no se (?:ha )?(?:pudo )?encontr(?:[oó]|ar) "
    r"(?:la direcci[oó]n|el (?:usuario|destinatario|buz[oó]n))",
    r"(?:utente|destinatario|indirizzo|casella)" + _CLAUSE + r"(?:sconosciut[oa]|inesistente"
    r"|non esiste|non (?:è |e )?(?:stat[oa] )?trovat[oa]|non valid[oa])",
    r"(?:usu[aá]rio|utilizador|destinat[aá]rio|endere[cç]o|caixa postal|conta)"
    + _CLAUSE
    + r"(?:desconhecid[oa]|inexistente|n[aã]o existe|n[aã]o (?:foi )?encontrad[oa]"
    r"|inv[aá]lid[oa])",
    r"(?:gebruiker|adres|ontvanger|mailbox|postvak|postbus)"
    + _CLAUSE
    + r"(?:onbekend|bestaat niet|niet gevonden)",
    r"onbekende (?:gebruiker|ontvanger|geadresseerde|adres)",
    r"(?:u[żz]ytkownik|odbiorc|adres|skrzynk)\w*"
    + _CLAUSE
    + r"(?:nie istnieje|nieznan\w*|nie zosta[łl]\w* znalezion)",
    r"(?:nieznan\w*|nie ma takiego) (?:u[żz]ytkownik|odbiorc|adres)",
    r"(?:u[žz]ivatel|adres[aá]t|adresa|schr[aá]nk)\w*"
    + _CLAUSE
    + r"(?:neexistuje|nebyl\w* nalezen|nezn[aá]m)",
    r"nezn[aá]m\w* (?:u[žz]ivatel|adres)",
    r"(?:пользовател|адресат|получател|адрес|ящик)\w*"
    + _CLAUSE
    + r"(?:не существует|не найден|неизвест)",
    r"(?:нет такого|неизвестн\w*) (?:пользовател|адресат|получател|адрес|ящик)",
    r"(?:ユーザ|アドレス|宛先|アカウント|メールボックス|受信者)[^。]{0,30}?"
    r"(?:存在しません|存在しない|見つかりません)",
    r"宛先不明|存在しない(?:ユーザ|アドレス|宛先|アカウント)",
    r"(?:用户|用戶|收件人|收信人|邮箱|郵箱|信箱|帐号|帳號|账号|帐户|账户|帳戶|地址)[^。\uff0c,]{0,20}?"
    r"(?:不存在|未找到|找不到)",
    r"无此用户|無此用戶|查无此人|查無此人",
    r"(?:사용자|받는 ?사람|수신자|계정이|메일 ?주소)[^.]{0,20}?(?:존재하지 않|찾을 수 없)",
    r"존재하지 않는 (?:사용자|계정|주소|수신자)|없는 사용자|없는 계정|없는 주소",
)

MAILBOX_FULL: tuple[str, ...] = (
    r"(?:postfach|mailbox)" + _CLAUSE + r"(?:\bvoll\b|(?:ü|ue|u)berf(?:ü|ue|u)llt)",
    r"(?:quota|kontingent|speicherplatz|speicherkontingent)\w*"
    + _CLAUSE
    + r"(?:(?:ü|ue|u)berschritten|ersch(?:ö|oe|o)pft|erreicht|\bvoll\b)",
    r"bo[iî]te" + _CLAUSE + r"(?:pleine|satur[ée]e)",
    r"quota" + _SHORT + r"(?:d[ée]pass[ée]|atteint)",
    r"espace (?:disque |de stockage )?insuffisant",
    r"buz[oó]n" + _CLAUSE + r"(?:lleno|sin espacio)",
    r"(?:cuota|capacidad)" + _SHORT + r"(?:excedid|superad|llen)",
    r"(?:excedido|superado|sobrepasado) (?:su |la )?(?:cuota|capacidad)",
    r"casella" + _CLAUSE + r"(?:piena|satura)",
    r"quota" + _SHORT + r"(?:superata|esaurita|raggiunta)",
    r"spazio (?:su disco )?(?:insufficiente|esaurito)",
    r"caixa(?: de correio| postal| de entrada)?" + _CLAUSE + r"(?:cheia|lotada)",
    r"(?:cota|quota)" + _SHORT + r"(?:excedida|ultrapassada|esgotada)",
    r"(?:mailbox|postvak|postbus|brievenbus)\w*(?: is)? (?:vol|overvol)\b",
    r"quot(?:a|um) (?:is )?overschreden",
    r"skrzynk\w*" + _SHORT + r"(?:pe[łl]n|przepe[łl]n)",
    r"przekroczon\w* (?:limit \w* ?(?:miejsca|pojemno)|quot|kwot|pojemno)",
    r"schr[aá]nk\w*" + _SHORT + r"(?:pln[aá]|p[řr]epln[eě]n)",
    r"p[řr]ekro[čc]en\w* kv[oó]t|kv[oó]ta" + _SHORT + r"p[řr]ekro[čc]en",
    r"ящик\w*" + _SHORT + r"(?:переполнен|заполнен)",
    r"(?:превышен|исчерпан)\w* (?:квот|объ[её]м)|квот\w*" + _SHORT + r"превышен",
    r"недостаточно места",
    r"(?:メールボックス|受信箱|ボックス)[^。]{0,20}?(?:一杯|いっぱい|満杯|容量)",
    r"容量オーバー",
    r"容量超過",
    r"箱已满|箱已滿|间已满|間已滿|箱满了|箱滿了|间不足|間不足",
    r"超出配额|超过配额|超過配額|超出容量|超过容量|超過容量|超出邮箱容量|超过邮箱容量",
    r"(?:메일함|편지함|사서함|메일박스|메일 박스)[^.]{0,20}?(?:가득|꽉|초과)",
)

SUSPENDED: tuple[str, ...] = (
    r"(?:konto|postfach|account|benutzer|mailbox)\w*"
    + _SHORT
    + r"(?:gesperrt|deaktiviert|stillgelegt|inaktiv)",
    r"(?:compte|bo[iî]te|utilisateur)"
    + _SHORT
    + r"(?:d[ée]sactiv[ée]|suspendu|bloqu[ée]|inactif|inactive|ferm[ée])",
    r"(?:cuenta|buz[oó]n|usuario)"
    + _SHORT
    + r"(?:suspendid|deshabilitad|desactivad|bloquead|inactiv)",
    r"(?:account|casella|utente)" + _SHORT + r"(?:sospes|disabilitat|disattivat|bloccat)",
    r"(?:conta|caixa postal|usu[aá]rio)"
    + _SHORT
    + r"(?:suspens|desativad|desabilitad|bloquead|inativ)",
    r"(?:account|mailbox|postvak)" + _SHORT + r"(?:geblokkeerd|uitgeschakeld|gedeactiveerd)",
    r"(?:konto|skrzynk)\w*" + _SHORT + r"(?:zawieszon|zablokowan|wy[łl][aą]czon|nieaktywn)",
    r"(?:[uú][čc]et|schr[aá]nk)\w*" + _SHORT + r"(?:zablokov|pozastaven|deaktivov|zru[šs]en)",
    r"(?:ящик|аккаунт|учетн|учётн|пользовател)\w*"
    + _SHORT
    + r"(?:заблокирован|отключен|приостановлен|деактивирован)",
    r"(?:アカウント|メールボックス|ユーザ)[^。]{0,20}?(?:停止|無効|凍結|ロック)",
    r"利用停止",
    r"(?:账户|帐户|账号|帐号|帳號|帳戶|邮箱|郵箱|用户|用戶)[^。\uff0c,]{0,6}?"
    r"(?:被冻结|已冻结|被凍結|已凍結|被停用|已停用|被禁用|已禁用|被锁定|已锁定|被鎖定|已鎖定)",
    r"(?:계정|메일함|사용자)[^.]{0,20}?(?:정지되|정지된|정지 상태|비활성|잠겨 있)",
)

MESSAGE_TOO_BIG: tuple[str, ...] = (
    r"(?:nachricht|e-?mail)\w*" + _SHORT + r"zu gro(?:ß|ss|s)\b",
    r"nachrichtengr(?:ö|oe|o)(?:ß|ss|s)e" + _CLAUSE + r"(?:(?:ü|ue|u)berschritten|zu gro)",
    r"maximale (?:nachrichten)?gr(?:ö|oe|o)(?:ß|ss|s)e",
    r"(?:message|courriel)" + _SHORT + r"trop (?:volumineux|gros|grand)",
    r"taille (?:du message|maximale)" + _CLAUSE + r"d[ée]pass",
    r"(?:mensaje|correo)" + _SHORT + r"demasiado grande",
    r"tama[ñn]o (?:del mensaje|m[aá]ximo)" + _CLAUSE + r"(?:excede|supera|sobrepasa)",
    r"messaggio" + _SHORT + r"troppo grande",
    r"dimension\w* (?:del messaggio|massima)" + _CLAUSE + r"(?:supera|eccede)",
    r"mensagem" + _SHORT + r"(?:muito grande|grande demais)",
    r"tamanho (?:da mensagem|m[aá]ximo)" + _CLAUSE + r"(?:excede|ultrapass)",
    r"bericht" + _SHORT + r"te groot",
    r"wiadomo(?:ść|sc)\w*" + _SHORT + r"(?:za|zbyt) du(?:ż|z)",
    r"zpr[aá]v\w*" + _SHORT + r"(?:p[řr][ií]li[šs]|moc) velk",
    r"(?:сообщени|письм)\w*" + _SHORT + r"слишком (?:больш|велик)",
    r"размер\w* (?:сообщения|письма)" + _SHORT + r"превыш",
    r"(?:メッセージ|メール)[^。]{0,10}?サイズ[^。]{0,20}?(?:超え|超過|大きすぎ|オーバー)",
    r"サイズが大きすぎ",
    r"邮件太大|郵件太大|邮件过大|郵件過大|信件太大|大小超过|大小超出|大小超過|尺寸超过",
    r"크기가 너무|크기 초과|크기를 초과",
)

NO_RELAYING: tuple[str, ...] = (
    r"relay\w*" + _SHORT + r"(?:nicht (?:erlaubt|gestattet|zul(?:ä|ae|a)ssig)|verweigert"
    r"|verboten|non autoris|interdit|refus|no permitid|denegad|prohibid|non (?:consentit"
    r"|permess|autorizzat)|vietat|n[aã]o permitid|negad|proibid|niet toegestaan|geweigerd"
    r"|niedozwolon|zabronion|nen[ií] povolen|zak[aá]z)",
    r"(?:relais|relayage)" + _SHORT + r"(?:non autoris|interdit|refus)",
    r"(?:retransmisi[oó]n|retransmiss[aã]o|inoltro)"
    + _SHORT
    + r"(?:no permitid|denegad|n[aã]o permitid|negad|non (?:consentit|permess)|vietat)",
    r"(?:пересылк|релей|ретрансляци)\w*"
    + _SHORT
    + r"(?:запрещен|запрещён|не разрешен|не разрешён)",
    r"中継は許可|中継を拒否|中継拒否|中継は禁止|中継禁止|中継できません|中継不可|中継が許可"
    r"|リレー拒否|リレーは許可|リレー禁止",
    r"允许中继|允許中繼|拒绝中继|拒絕中繼|禁止中继|禁止中繼|中继被拒|中繼被拒",
    r"릴레이[^.]{0,10}?(?:허용되지|거부|금지)",
)

SPAM: tuple[str, ...] = (
    r"ind[ée]sirable",
    r"pourriel",
    r"indesiderat",
    r"no deseado",
    r"n[aã]o solicitad",
    r"спам",
    r"迷惑メール|スパム",
    r"垃圾邮件",
    r"垃圾郵件",
    r"垃圾信",
    r"스팸으로",
    r"스팸 메일",
    r"스팸메일",
    r"스팸성",
)

VIRUS: tuple[str, ...] = (
    r"wirus|вирус",
    r"ウイルス|ウィルス",
    r"病毒邮件|病毒郵件|发现病毒|發現病毒|含有病毒|检测到病毒|檢測到病毒|携带病毒|攜帶病毒"
    r"|包含病毒|含病毒",
    r"바이러스",
)

TOO_MANY_CONN: tuple[str, ...] = (
    r"zu viele (?:\w+ )?verbindungen",
    r"demasiadas conexiones",
    r"troppe connessioni",
    r"(?:muitas|demasiadas) conex(?:õ|o)es",
    r"te veel (?:\w+ )?verbindingen",
    r"(?:zbyt|za) (?:wiele|du(?:ż|z)o) (?:\w+ )?po(?:łą|la)cze(?:ń|n)",
    r"p[řr][ií]li[šs] mnoho (?:\w+ )?(?:p[řr]ipojen|spojen)",
    r"слишком много (?:\w+ )?(?:соединени|подключени)",
    r"接続数が多すぎ|接続が多すぎ|同時接続数",
    r"连接数过多|連接數過多|连接过多|連接過多|太多连接|太多連接",
    r"연결[^.]{0,4}? 너무 많",
)

EXPIRED: tuple[str, ...] = (
    r"(?:zustell|(?:ü|ue|u)bermittlungs)\w*" + _SHORT + r"(?:(?:ü|ue|u)berschritten|abgelaufen)",
    r"d[ée]lai(?! d'attente)" + _CLAUSE + r"(?:d[ée]pass[ée]|expir[ée]|imparti)",
    r"plazo" + _CLAUSE + r"(?:superado|excedido|vencido|agotado)",
    r"(?:mensaje|entrega)" + _SHORT + r"(?:ha )?(?:expirado|caducado)",
    r"tempo (?:massimo )?di consegna" + _SHORT + r"(?:superato|scaduto)",
    r"prazo(?: de entrega)?" + _SHORT + r"(?:expirado|excedido|esgotado)",
    r"(?:bezorg|aflever)\w*" + _SHORT + r"(?:verlopen|overschreden)",
    r"(?:czas|termin) dor(?:ę|e)czeni\w* (?:up(?:ł|l)yn|przekroczon)",
    r"(?:doba|lh[uů]ta) doru[čc]en[ií] (?:vypr[šs]ela|p[řr]ekro[čc]ena)",
    r"(?:срок|время) доставки (?:истек|истёк|превышен)",
    r"配信期限|期限切れ|再送期限|配送期限",
    r"投递超时|投遞超時|投递时间已过|重试时间已过|超过重试期限",
    r"전송 시간이? 초과|배달 시간 초과|기한이 만료|기한 만료",
)

TEMPORARY_FAILURE: tuple[str, ...] = (
    r"(?:tempor(?:ä|ae|a)rer|vor(?:ü|ue|u)bergehender) (?:\w+)?fehler",
    r"(?:erreur|[ée]chec|probl[eè]me|d[ée]faillance) temporaire",
    r"(?:error|fallo|falla|problema) temporal\b",
    r"(?:errore|problema|guasto) temporaneo",
    r"(?:erro|falha|problema) tempor[aá]ri[oa]",
    r"tijdelijke? (?:fout|storing|probleem)",
    r"tymczasow\w* (?:b(?:łą|la)d|problem|awari)|b(?:łą|la)d tymczasow",
    r"do[čc]asn[aá] (?:chyba|porucha)",
    r"временн\w* (?:ошибк|сбой|неполадк|проблем)",
    r"一時的な(?:エラー|障害|問題)",
    r"临时错误|臨時錯誤|暂时性错误|暫時性錯誤|临时故障|臨時故障",
    r"일시적인 (?:오류|장애|문제)",
)
