/* person_demo_text.c - the invented names and the texts of the persons
 * demo (person_demo.h): children's, young people's and mothers' needs by
 * domain with the goals they lead to, in French and in Arabic; short texts
 * for the country's bulk; notes, reviews and participation. */
#include "person_demo.h"

const pd_name_t pd_girls[] = {
    {"Salma", "سلمى"},   {"Yasmine", "ياسمين"}, {"Aya", "آية"},      {"Hiba", "هبة"},
    {"Imane", "إيمان"},  {"Nour", "نور"},       {"Malak", "ملاك"},   {"Sara", "سارة"},
    {"Rania", "رانية"},  {"Lina", "لينا"},      {"Douae", "دعاء"},   {"Chaimae", "شيماء"},
    {"Ghita", "غيثة"},   {"Kenza", "كنزة"},     {"Manal", "منال"},   {"Oumaima", "أميمة"},
    {"Hajar", "هاجر"},   {"Wiam", "وئام"},      {"Asmae", "أسماء"},  {"Ikram", "إكرام"},
};
const pd_name_t pd_boys[] = {
    {"Yassine", "ياسين"}, {"Adam", "آدم"},      {"Rayane", "ريان"},   {"Amine", "أمين"},
    {"Ilyas", "إلياس"},   {"Zakaria", "زكرياء"}, {"Othmane", "عثمان"}, {"Badr", "بدر"},
    {"Reda", "رضا"},      {"Imran", "عمران"},   {"Ismail", "إسماعيل"}, {"Walid", "وليد"},
    {"Nabil", "نبيل"},    {"Soufiane", "سفيان"}, {"Karim", "كريم"},   {"Sami", "سامي"},
    {"Marwane", "مروان"}, {"Anas", "أنس"},      {"Bilal", "بلال"},   {"Ayman", "أيمن"},
};
const pd_name_t pd_women[] = {
    {"Hind", "هند"},   {"Siham", "سهام"},     {"Wafae", "وفاء"}, {"Najat", "نجاة"},
    {"Btissam", "ابتسام"}, {"Ilham", "إلهام"}, {"Sanae", "سناء"}, {"Zahra", "زهرة"},
};
const pd_name_t pd_family[] = {
    {"Bakkali", "البقالي"},   {"Cherkaoui", "الشرقاوي"}, {"Debbagh", "الدباغ"},
    {"El Mansouri", "المنصوري"}, {"Filali", "الفيلالي"}, {"Haddad", "الحداد"},
    {"Jabri", "الجابري"},     {"Kettani", "الكتاني"},   {"Marzouki", "المرزوقي"},
    {"Naji", "ناجي"},         {"Ouahbi", "الوهبي"},     {"Tahiri", "الطاهري"},
    {"Yacoubi", "اليعقوبي"},  {"Zerouali", "الزروالي"}, {"Bennis", "بنيس"},
    {"Slaoui", "السلاوي"},    {"Rami", "رامي"},         {"Belhaj", "بلحاج"},
    {"Khalfi", "الخلفي"},     {"Souiri", "الصويري"},
};


const pd_need_t pd_child_fr[] = {
    {"health", 2, "Bon état général. Asthme léger suivi au centre de santé du quartier ; vaccinations à jour.",
     "Connaît son traitement et le demande de lui-même.", "Contrôle pneumologique tous les six mois ; savoir réagir à une crise.",
     "« Je n'aime pas le sirop mais je sais quand le prendre. »", "Gérer son asthme au quotidien",
     "Rendez-vous de pneumologie et carnet de suivi", "Infirmière"},
    {"development", 3, "Retard de langage repéré à l'admission ; progrès nets depuis six mois.",
     "Grande curiosité, aime les livres d'images.", "Orthophonie chaque semaine, jeux de langage à la maison.",
     "« Je connais toutes les couleurs maintenant ! »", "Enrichir son vocabulaire",
     "Séance d'orthophonie chaque mercredi", "Orthophoniste"},
    {"education", 2, "En CE5 à l'école publique du quartier ; difficultés en français, bon niveau en calcul.",
     "Assiduité, bonne relation avec l'enseignante.", "Soutien scolaire trois soirs par semaine ; lien régulier avec l'école.",
     "« Je veux lire tout seul les bandes dessinées. »", "Passer en classe supérieure avec la moyenne en français",
     "Soutien scolaire trois soirs par semaine", "Éducateur"},
    {"identity", 3, "Sait que le juge a décidé du placement ; pose des questions sur son histoire.",
     "En parle volontiers avec la mère de sa maison.", "Livre de vie avec l'éducateur ; réponses honnêtes adaptées à son âge.",
     "« Je voudrais savoir pourquoi je suis ici. »", "Connaître et comprendre son histoire",
     "Séance du livre de vie une fois par mois", "Psychologue"},
    {"family", 3, "Mère en vie, visites mensuelles encadrées au village ; pas de contact avec le père.",
     "Attachement fort à sa sœur, accueillie dans la même maison.", "Maintenir les visites ; préparer la mère à chaque rencontre.",
     "« J'aime quand maman vient, mais je suis triste quand elle part. »", "Garder un lien régulier et apaisé avec sa mère",
     "Visites mensuelles préparées et reprises après coup", "Assistante sociale"},
    {"autonomy", 2, "Participe aux tâches de la maison ; commence à gérer un peu d'argent de poche.",
     "Sens des responsabilités, aide les plus petits.", "Apprendre à faire des courses seul et à préparer un repas simple.",
     "« Je veux apprendre à faire des msemen. »", "Préparer un repas simple et faire les courses",
     "Atelier cuisine le samedi avec la mère de la maison", "Mère de la maison"},
    {"safety", 4, "Fugue de deux jours en début d'année ; aucune depuis.",
     "Accepte de parler quand ça ne va pas.", "Entretien hebdomadaire avec le psychologue ; règles de sortie écrites ensemble.",
     "« Ce jour-là j'étais en colère, je ne voulais plus rester. »", "Savoir demander de l'aide plutôt que partir",
     "Entretien hebdomadaire avec le psychologue", "Psychologue"},
    {"participation", 1, "Délégué de sa maison au conseil des enfants.",
     "S'exprime avec aisance en groupe.", "Préparer les réunions et rendre compte aux autres enfants.",
     "« On a obtenu le terrain de foot le samedi. »", "Représenter sa maison au conseil des enfants",
     "Préparer chaque conseil avec l'éducateur", "Éducateur"},
    {"leisure", 1, "Inscription au club de football du quartier ; aime dessiner.",
     "Grande régularité aux entraînements.", "Trouver un atelier de dessin ; sorties culturelles avec la maison.",
     "« Le foot, c'est ce que je préfère. »", "Pratiquer une activité artistique",
     "Inscription à l'atelier de dessin de la maison des jeunes", "Animateur"},
    {"disability", 3, "Déficience auditive moyenne, appareillage des deux côtés.",
     "Lit sur les lèvres, très attentif aux autres.", "Entretien des appareils, premier rang en classe, équipe initiée à la langue des signes.",
     "« Avec mes appareils j'entends la maîtresse. »", "Suivre la classe avec ses appareils auditifs",
     "Contrôle des appareils chez l'audioprothésiste", "Infirmière"},
};

const pd_need_t pd_youth_fr[] = {
    {"education", 2, "Première année de formation professionnelle en électricité.",
     "Motivation forte, bons résultats pratiques.", "Tenir jusqu'au diplôme ; trouver un stage en entreprise.",
     "« Je veux mon diplôme et un vrai travail. »", "Obtenir le diplôme de technicien en électricité",
     "Recherche de stage avec le conseiller d'orientation", "Éducateur"},
    {"autonomy", 3, "Prépare sa sortie : compte bancaire ouvert, carte nationale en cours.",
     "Gère seul son budget mensuel.", "Trouver un logement ; apprendre les démarches administratives.",
     "« Je veux ma chambre à moi quand je sortirai. »", "Être prêt à vivre seul à 18 ans",
     "Simulation de budget et visite de logements", "Éducateur du foyer"},
    {"identity", 2, "Papiers d'identité incomplets à l'admission.", "Fait lui-même les démarches.",
     "Obtenir la carte nationale et l'extrait d'acte de naissance.", "« Sans papiers, je ne peux rien faire. »",
     "Avoir ses papiers d'identité", "Accompagnement à l'arrondissement", "Assistante sociale"},
};

const pd_need_t pd_mother_fr[] = {
    {"family", 3, "Accueillie avec son enfant après une rupture familiale ; pas de soutien de la famille.",
     "Très attentive à son enfant.", "Médiation familiale si elle le souhaite ; soutien à la parentalité.",
     "« Je veux un toit pour mon enfant et un travail. »", "Renforcer le lien avec son enfant et sa famille",
     "Groupe de parole des mères chaque semaine", "Psychologue"},
    {"autonomy", 3, "Suit la formation de couture du programme ; sans revenu.",
     "Habile et assidue.", "Stage chez une couturière ; recherche d'un logement.",
     "« Je voudrais ouvrir mon propre atelier. »", "Obtenir un certificat de couture et un premier emploi",
     "Stage de deux mois chez une couturière", "Formatrice"},
    {"identity", 4, "L'enfant n'est pas encore inscrit à l'état civil.", "Démarches comprises et acceptées.",
     "Accompagnement juridique pour l'inscription de l'enfant.", "« Mon enfant doit avoir ses papiers comme les autres. »",
     "Inscrire l'enfant à l'état civil", "Dossier déposé au tribunal de la famille", "Assistante sociale"},
    {"health", 2, "Suivi postnatal terminé ; grande fatigue.", "Prend seule ses rendez-vous.",
     "Bilan de santé ; soutien psychologique.", "« Je dors mal depuis des mois. »",
     "Retrouver le sommeil et des forces", "Bilan au centre de santé et entretiens", "Infirmière"},
};

const pd_need_t pd_child_ar[] = {
    {"health", 2, "حالة صحية عامة جيدة. ربو خفيف يتابع في المركز الصحي للحي، والتلقيحات محينة.",
     "يعرف علاجه ويطلبه بنفسه.", "فحص عند طبيب الأمراض التنفسية كل ستة أشهر، وتعلم التصرف عند النوبة.",
     "«لا أحب الدواء لكنني أعرف متى آخذه.»", "التعايش اليومي مع الربو", "موعد عند الطبيب ودفتر للتتبع",
     "الممرضة"},
    {"development", 3, "تأخر في اللغة لوحظ عند الاستقبال، مع تقدم واضح منذ ستة أشهر.", "فضول كبير وحب لكتب الصور.",
     "حصص أسبوعية لتقويم النطق وألعاب لغوية في البيت.", "«أعرف كل الألوان الآن!»", "إغناء الرصيد اللغوي",
     "حصة تقويم النطق كل أربعاء", "أخصائية تقويم النطق"},
    {"education", 2, "في المستوى الخامس ابتدائي بالمدرسة العمومية للحي، صعوبات في الفرنسية ومستوى جيد في الحساب.",
     "مواظبة وعلاقة طيبة مع المعلمة.", "دعم مدرسي ثلاث أمسيات في الأسبوع وتواصل منتظم مع المدرسة.",
     "«أريد أن أقرأ القصص المصورة وحدي.»", "الانتقال إلى المستوى الموالي بمعدل في الفرنسية",
     "دعم مدرسي ثلاث أمسيات في الأسبوع", "المربي"},
    {"identity", 3, "يعلم أن القاضي قرر الإيداع، ويطرح أسئلة عن قصته.", "يتحدث عن ذلك بسهولة مع أم البيت.",
     "العمل على كتاب الحياة مع المربي، وأجوبة صادقة تناسب سنه.", "«أريد أن أعرف لماذا أنا هنا.»",
     "معرفة قصته وفهمها", "جلسة كتاب الحياة مرة في الشهر", "الأخصائية النفسية"},
    {"family", 3, "الأم على قيد الحياة، زيارات شهرية مؤطرة داخل القرية، ولا تواصل مع الأب.",
     "تعلق قوي بالأخت التي تعيش في نفس البيت.", "الحفاظ على الزيارات وتهييء الأم قبل كل لقاء.",
     "«أحب عندما تأتي أمي، لكنني أحزن عندما تذهب.»", "الحفاظ على علاقة منتظمة وهادئة مع الأم",
     "زيارات شهرية يتم التحضير لها ومناقشتها بعد ذلك", "المساعدة الاجتماعية"},
    {"autonomy", 2, "يشارك في أشغال البيت ويبدأ في تدبير مصروف جيب صغير.", "حس بالمسؤولية ومساعدة للصغار.",
     "تعلم التسوق وحده وتحضير وجبة بسيطة.", "«أريد أن أتعلم تحضير المسمن.»", "تحضير وجبة بسيطة والتسوق",
     "ورشة الطبخ يوم السبت مع أم البيت", "أم البيت"},
    {"leisure", 1, "مسجل في نادي كرة القدم بالحي ويحب الرسم.", "انتظام كبير في التداريب.",
     "إيجاد ورشة للرسم وخرجات ثقافية مع البيت.", "«كرة القدم هي ما أحبه أكثر.»", "ممارسة نشاط فني",
     "التسجيل في ورشة الرسم بدار الشباب", "المنشط"},
    {"disability", 3, "إعاقة سمعية متوسطة مع سماعتين.", "يقرأ على الشفاه وشديد الانتباه.",
     "صيانة السماعات والجلوس في الصف الأول وتكوين الفريق في لغة الإشارة.", "«بالسماعات أسمع المعلمة.»",
     "متابعة الدروس بالسماعات", "مراقبة السماعات عند المختص", "الممرضة"},
};

const pd_need_t pd_mother_ar[] = {
    {"family", 3, "استقبلت مع طفلها بعد قطيعة عائلية، دون سند من الأسرة.", "شديدة الاهتمام بطفلها.",
     "وساطة أسرية إن رغبت في ذلك، ودعم في التربية الوالدية.", "«أريد سقفاً لطفلي وعملاً.»",
     "تقوية الرابطة مع الطفل والأسرة", "مجموعة حوار للأمهات كل أسبوع", "الأخصائية النفسية"},
    {"autonomy", 3, "تتابع تكوين الخياطة في البرنامج، ولا دخل لها.", "ماهرة ومواظبة.",
     "تدريب لدى خياطة والبحث عن سكن.", "«أتمنى أن أفتح ورشتي الخاصة.»",
     "الحصول على شهادة في الخياطة وأول عمل", "تدريب لمدة شهرين لدى خياطة", "المكونة"},
    {"identity", 4, "الطفل غير مسجل بعد في الحالة المدنية.", "فهمت الإجراءات وقبلتها.",
     "مواكبة قانونية لتسجيل الطفل.", "«يجب أن تكون لطفلي وثائقه مثل الآخرين.»",
     "تسجيل الطفل في الحالة المدنية", "إيداع الملف لدى قسم قضاء الأسرة", "المساعدة الاجتماعية"},
    {"health", 2, "انتهت المتابعة بعد الولادة، مع تعب شديد.", "تأخذ مواعيدها بنفسها.", "فحص صحي ودعم نفسي.",
     "«لا أنام جيداً منذ أشهر.»", "استعادة النوم والطاقة", "فحص في المركز الصحي وجلسات استماع",
     "الممرضة"},
};

/* Domains of the country's bulk (short texts that fit every age). */
const pd_need_t pd_bulk[] = {
    {"health", 2, "Suivi médical régulier au centre de santé ; traitement en cours.", NULL,
     "Rendez-vous de contrôle et suivi du traitement.", NULL, "Suivre son traitement", NULL, NULL},
    {"family", 3, "Contacts irréguliers avec la famille proche.", NULL,
     "Maintenir et apaiser les liens familiaux.", NULL, "Garder un lien avec sa famille", NULL, NULL},
    {"autonomy", 2, "Autonomie partielle dans la vie quotidienne.", NULL,
     "Renforcer l'autonomie au quotidien.", NULL, "Gagner en autonomie", NULL, NULL},
    {"education", 2, "Scolarité ou formation en cours, résultats moyens.", NULL,
     "Soutien scolaire ou suivi de la formation.", NULL, "Réussir son année", NULL, NULL},
    {"identity", 3, "Documents d'état civil incomplets.", NULL, "Finaliser les démarches d'état civil.",
     NULL, "Avoir ses papiers d'identité", NULL, NULL},
    {"leisure", 1, "Participe peu aux activités proposées.", NULL,
     "Proposer des activités choisies avec la personne.", NULL, "Pratiquer une activité choisie", NULL,
     NULL},
    {"participation", 1, "S'exprime peu en réunion.", NULL,
     "Associer la personne aux décisions qui la concernent.", NULL, "Prendre part aux décisions", NULL,
     NULL},
};

const pd_texts_t pd_fr = {
    {"Asthme léger, traitement de fond. Allergie à la pénicilline.",
     "Vaccinations à jour. Suivi orthophonique hebdomadaire.", NULL,
     "Appareillage auditif bilatéral, contrôle tous les six mois."},
    {"Mère en vie, visites mensuelles encadrées. Père inconnu.",
     "Parents décédés ; un oncle garde le contact par téléphone.",
     "Fratrie de trois enfants, deux accueillis dans la même maison.",
     "La grand-mère maternelle souhaite reprendre l'enfant ; évaluation sociale en cours."},
    {"Ordonnance de placement du juge des mineurs, renouvelée pour un an.",
     "Déclaration d'abandon prononcée ; procédure de kafala engagée.",
     "Audience de révision du placement prévue dans trois mois."},
    "Rupture avec sa famille pendant la grossesse ; aucun contact depuis.",
    "Accueilli avec sa mère au programme mère-enfant.",
    {"Progrès en lecture ; l'objectif scolaire est maintenu. Les visites de la mère ont repris.",
     "Objectif d'autonomie atteint ; nouvel objectif : gérer son argent de poche.",
     "Période difficile après le changement de classe ; soutien psychologique renforcé.",
     "Le choix de la formation est fait ; inscription lancée."},
    "Réunion de projet avec %s, la mère de la maison et l'éducateur référent ; les objectifs ont été "
    "discutés un par un et notés avec ses mots.",
    "Trop jeune pour la réunion : ses réactions et ses préférences observées au quotidien ont été prises "
    "en compte.",
    "Ordonnance du juge des mineurs, tribunal de première instance, n°",
    "Préparation de l'accueil de la fratrie au village de Tanger",
};

const pd_texts_t pd_ar = {
    {"ربو خفيف مع علاج مستمر. حساسية من البنسلين.", "التلقيحات محينة. متابعة أسبوعية لتقويم النطق.", NULL,
     "سماعتان للأذنين مع مراقبة كل ستة أشهر."},
    {"الأم على قيد الحياة، زيارات شهرية مؤطرة. الأب مجهول.", "الوالدان متوفيان، وعم يحافظ على التواصل بالهاتف.",
     "ثلاثة إخوة، اثنان منهم في نفس البيت.", "الجدة من الأم ترغب في استعادة الطفل، والبحث الاجتماعي جار."},
    {"أمر بالإيداع من قاضي الأحداث، جدد لمدة سنة.", "صدر حكم بالتخلي، ومسطرة الكفالة جارية.",
     "جلسة لمراجعة الإيداع مقررة بعد ثلاثة أشهر."},
    "قطيعة مع أسرتها أثناء الحمل، ولا تواصل منذ ذلك الحين.",
    "استقبل مع أمه في برنامج الأم والطفل.",
    {"تقدم في القراءة والهدف الدراسي مستمر. استؤنفت زيارات الأم.",
     "تحقق هدف الاستقلالية، وهدف جديد: تدبير مصروف الجيب.",
     "فترة صعبة بعد تغيير القسم، وتم تعزيز الدعم النفسي.", "تم اختيار التكوين وبدأ التسجيل."},
    "اجتماع المشروع مع %s وأم البيت والمربي المرجعي، ونوقشت الأهداف واحداً واحداً وسجلت بكلماته.",
    "صغير السن على الاجتماع، وأخذت بعين الاعتبار ردود فعله وتفضيلاته الملاحظة يومياً.",
    "أمر قاضي الأحداث، المحكمة الابتدائية، رقم",
    NULL,
};

