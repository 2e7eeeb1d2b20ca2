import { Text, View } from '@tarojs/components';
import type { LegalDocument } from '../legal';
import './LegalText.scss';

export function LegalText({ document }: { document: LegalDocument }) {
  return (
    <View className="page">
      <View className="card legal">
        <Text className="legal__title">{document.title}</Text>
        <Text className="legal__version">版本 {document.version}</Text>
        {document.sections.map((section) => (
          <View key={section.heading} className="legal__section">
            <Text className="legal__heading">{section.heading}</Text>
            {section.paragraphs.map((paragraph) => (
              <Text key={paragraph} className="legal__paragraph">
                {paragraph}
              </Text>
            ))}
          </View>
        ))}
      </View>
    </View>
  );
}
